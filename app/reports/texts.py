"""The words printed on the documents, in Chinese and English.

This is document text, not interface text: it is chosen per document (``--lang``), not by the
desktop's locale, so it lives in a small catalogue here rather than in Qt's translations.
Placeholders use ``str.format`` names.
"""

from __future__ import annotations

LANGS = ("zh", "en")

TEXTS: dict[str, tuple[str, str]] = {
    # Titles
    "title.feedback": ("现场反馈意见书", "On-site Feedback Sheet"),
    "title.rectification": ("整改通知书", "Rectification Notice"),
    "title.full": ("督导报告", "Inspection Report"),
    "draft": ("草稿", "DRAFT"),
    "draft.note": ("草稿：督导记录尚未定稿，本文件不作为正式结论。",
                   "Draft: the visit is not finalized; this document is not a formal result."),
    "page": ("第 {page} 页 共 {pages} 页", "Page {page} of {pages}"),
    "conflict.note": ("同步冲突未解决：同一内容在两处被修改，尚待督导人员选择，本文件内容可能变动。",
                      "A sync conflict is open: the same entry was changed in two places and waits for a "
                      "choice; this document may change."),
    "amended.title": ("（修订）", " (Amended)"),
    "amended.note": ("修订：本文件为第 {n} 次修订，修订日期 {date}，取代 {finalized} 定稿的版本。",
                     "Amendment no. {n} of {date}: this document replaces the version finalized on {finalized}."),
    "sig.earlier": ("{name} 于 {date} 签字确认的是修订前的版本，请重新签字。",
                    "{name} signed the version before the amendment on {date}; please sign again."),
    "printed": ("打印时间：{at}", "Printed {at}"),
    # Header
    "unit": ("受检单位", "Unit"),
    "unit_code": ("单位代码", "Unit code"),
    "unit_head": ("单位负责人", "Unit head"),
    "visit_type": ("督导类型", "Visit type"),
    "date": ("督导日期", "Date"),
    "leader": ("组长", "Team leader"),
    "members": ("成员", "Members"),
    "rubric": ("评分细则", "Rubric"),
    "version": ("版本", "version"),
    "status": ("状态", "Status"),
    # Scores
    "scores": ("得分情况", "Scores"),
    "section": ("评估项目", "Section"),
    "maximum": ("应得分", "Maximum"),
    "awarded": ("实得分", "Awarded"),
    "answered": ("已评/总数", "Answered"),
    "total": ("合计", "Total"),
    "bonus": ("加分", "Bonus"),
    "total_with_bonus": ("总得分（含加分）", "Total with bonus"),
    "percentage": ("得分率", "Percentage"),
    "band": ("评定等级", "Grade"),
    "no_band": ("未评定", "Not graded"),
    "veto": ("一票否决", "Veto"),
    "veto.item": ("否决项 {item}：{label}", "Veto item {item}: {label}"),
    "veto.fail": ("触发一票否决，本年度不得评为合格。", "A veto was triggered: the unit cannot pass this year."),
    "veto.cap": ("触发否决项，等级最高为“{band}”。", "A veto item caps the grade at '{band}'."),
    "no_veto": ("无", "None"),
    "gaps": ("待补项", "Gaps"),
    # Counts: "{key}.one" is the English text for exactly one (Chinese has one form).
    "gaps.count": ("尚有 {n} 处待补（未评、扣分无理由或缺少照片）：{items}",
                   "{n} gaps remain (unanswered, no reason for a deduction, or a missing photo): {items}"),
    "gaps.count.one": ("", "1 gap remains (unanswered, no reason for a deduction, or a missing photo): {items}"),
    # The number of gaps not listed, after the ones that are.
    "gaps.more": ("；另有 {n} 处未列出", "; and {n} more"),
    "provisional": ("暂定", "provisional"),
    "provisional.note": ("草稿尚有 {n} 项未评，等级为暂定", "{n} items not yet assessed: the grade is provisional"),
    "provisional.note.one": ("", "1 item not yet assessed: the grade is provisional"),
    "provisional.none": ("尚未评分（共 {n} 项）", "nothing assessed yet ({n} items)"),
    "gap.unanswered": ("未评", "unanswered"),
    "gap.no_reason": ("扣分无理由", "no reason"),
    "gap.photo_missing": ("缺照片", "photo missing"),
    "gap.profile_missing": ("缺单位概况数字", "unit profile number missing"),
    "gap": ("待补", "gap"),
    # Findings
    "findings": ("存在问题及整改要求", "Findings and rectification requirements"),
    "findings.none": ("本次督导未发现问题。", "No findings were recorded on this visit."),
    "no": ("序号", "No."),
    "finding": ("问题", "Finding"),
    "requirement": ("整改要求", "Requirement"),
    "deadline": ("整改期限", "Deadline"),
    "responsible": ("责任人", "Responsible"),
    "severity": ("性质", "Severity"),
    "no_deadline": ("—", "—"),
    # Good practices
    "practices": ("好的做法（亮点）", "Good practices"),
    "practices.none": ("无。", "None recorded."),
    # Photos
    "photos": ("现场照片", "Photos"),
    "photos.more": ("另有 {n} 张照片见督导报告。", "{n} more photos are in the full report."),
    "photo.of_finding": ("问题 {n} 附图", "Finding {n} photo"),
    "photos.more.one": ("", "1 more photo is in the full report."),
    # What the paper says where a photo cannot be printed: words for the principal who signs.
    "photo.missing": ("照片缺失：原照片已找不到，此处不予打印。",
                      "Photo missing: the original photo can no longer be found, so it is not printed."),
    "photo.damaged": ("照片损坏：原照片无法读取，此处不予打印。",
                      "Photo damaged: the original photo cannot be read, so it is not printed."),
    # What the inspector reads (a warning of the command or the print preview): what to do.
    "warn.photo": ("照片 {name} 未能打印：{reason}", "Photo {name} could not be printed: {reason}"),
    "warn.photo.missing": ("文件不在媒体文件夹中，请运行 fieldmark evidence verify",
                           "its file is not in the media folder; run 'fieldmark evidence verify'"),
    "warn.photo.damaged": ("文件已损坏，无法读取", "its file is damaged and cannot be read"),
    "warn.photo.on_server": ("照片 {name} 以缩略图打印：原照片保存在服务器上，同步或登录后可打印原图",
                             "Photo {name} is printed from its thumbnail: the original is kept on the server; "
                             "sync or log in to print it in full"),
    "warn.signature": ("签名图片缺失：{role}", "Signature image missing: {role}"),
    "warn.conflict": ("同步冲突未解决：请在“同步”菜单中查看冲突并选择保留的版本",
                      "A sync conflict is open: review it from the Sync menu and choose the version to keep"),
    "warn.logo": ("单位标志文件无法读取：{path}", "Office logo cannot be read: {path}"),
    # Signatures
    "signatures": ("签字", "Signatures"),
    "sig.team_leader": ("督导组组长（签字）", "Team leader (signature)"),
    "sig.unit_head": ("受检单位负责人（签收）", "Unit head (received)"),
    "sig.date": ("日期", "Date"),
    "sig.name": ("姓名", "Name"),
    # A date left for the hand (a draft is not issued; a line not yet signed).
    "issuer.date_blank": ("\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日", "____________________"),
    "seal": ("（单位盖章）", "(Unit seal)"),
    # Verification
    "verify": ("校验码", "Verification code"),
    "verify.how": ("扫码或运行 fieldmark verify 校验码，可核对本页与督导记录是否一致。",
                   "Scan the code, or run 'fieldmark verify CODE', to check this paper against the record."),
    "verify.online": ("用手机扫描二维码，可在 {server} 在线核对本页与督导记录是否一致；也可运行 fieldmark verify 校验码。",
                      "Scan the code with a phone to check this paper against the record online at {server}, "
                      "or run 'fieldmark verify CODE'."),
    "verify.draft": ("定稿后生成校验码。", "The verification code is issued when the visit is finalized."),
    # Rectification notice
    "rect.to": ("{unit}：", "To {unit}:"),
    "rect.intro": ("{date}，{office}对你单位开展了{visit_type}。现将发现的问题及整改要求通知如下，"
                   "请认真组织整改。",
                   "On {date}, {office} carried out {visit_type} of your unit. The findings and the "
                   "rectification required are listed below; please organise the rectification."),
    "rect.reply": ("请于整改期限届满前，将整改情况报告（附佐证材料）书面报送{office}。逾期未整改或整改不到位的，"
                   "将按规定予以通报。",
                   "Before each deadline, send {office} a written rectification report with supporting "
                   "evidence. Findings not rectified in time will be reported as the rules require."),
    "rect.office": ("督导部门", "the supervision office"),
    "rect.issued": ("签发", "Issued by"),
    "rect.received": ("签收", "Received by"),
    # Full report
    "full.basic": ("一、基本情况", "1. Overview"),
    "full.practices": ("二、主要做法", "2. Good practices"),
    "full.scores": ("三、得分情况", "3. Scores"),
    "full.findings": ("四、存在问题", "4. Findings"),
    "full.requirements": ("五、整改要求", "5. Rectification requirements"),
    "full.items": ("附表：逐项评分", "Appendix: every item"),
    "full.photos": ("附件：现场照片", "Annex: photos"),
    "full.summary": ("{date}，{team}对{unit}开展{visit_type}，采用{methods}等方式，对照《{rubric}》逐项评估。",
                     "On {date}, {team} carried out {visit_type} of {unit}, using {methods}, against "
                     "the rubric '{rubric}'."),
    "full.result": ("评估得分 {awarded} 分（应得分 {maximum} 分），评定等级：{band}。",
                    "The unit scored {awarded} of {maximum} points; grade: {band}."),
    "item": ("项目", "Item"),
    "code": ("编号", "Code"),
    "answer": ("评估结果", "Answer"),
    "note": ("说明", "Note"),
    "method": ("评估方式", "Method"),
    "score": ("得分", "Score"),
    "na": ("不适用", "N/A"),
    "not_assessed": ("未评", "Not assessed"),
    "not_applicable": ("不适用（条件不满足）", "Not applicable (condition not met)"),
    "pass": ("达标", "Meets the standard"),
    "fail": ("不达标", "Does not meet the standard"),
    "deduction.none": ("未扣分", "No deduction"),
    "rate": ("{value}%", "{value}%"),
    "and": ("、", ", "),
    "methods.none": ("现场督导", "an on-site visit"),
    "team.default": ("督导组", "the inspection team"),
    # Self-assessment form (自评表): a rubric printed for a unit to fill in by hand.
    "sa.title": ("自评表", "Self-assessment form"),
    "sa.heading": ("{name}自评表", "Self-assessment form: {name}"),
    # The title printed on the form's first page; in English the kind of form goes under it.
    "sa.heading.page": ("{name}自评表", "{name}"),
    "sa.subtitle": ("版本 {version}　满分 {maximum} 分", "Self-assessment form · version {version} · {maximum} points"),
    "sa.subtitle.bonus": ("　另设加分，最多 {cap} 分", " · bonus up to {cap} points"),
    "sa.unit": ("单位名称", "Unit"),
    "sa.date": ("自评日期", "Date"),
    "sa.filled_by": ("填表人", "Filled in by"),
    "sa.phone": ("联系电话", "Telephone"),
    "sa.how": ("请对照评分标准逐项自评，在“自评得分”栏填写得分（不超过该项分值），扣分或不适用的在“说明”栏写明"
               "理由；小计与合计由各项自评得分相加得出。",
               "Assess each item against its scoring standard and write the points under Self-score (no more "
               "than the item's points); for a deduction or an item that does not apply, give the reason under "
               "Notes. Subtotals and the total are the sums of the self-scores."),
    "sa.code": ("编号", "Code"),
    "sa.content": ("评估内容", "What is assessed"),
    "sa.points": ("分值", "Points"),
    "sa.standard": ("评分标准", "Scoring standard"),
    "sa.method": ("评估方式", "Method"),
    "sa.self_score": ("自评得分", "Self-score"),
    "sa.note": ("说明", "Notes"),
    "sa.section": ("{code} {name}（{points} 分）", "{code} {name} ({points} points)"),
    "sa.section.cap": ("{code} {name}（{points} 分，各项合计超过时按 {points} 分计）",
                       "{code} {name} ({points} points; a higher sum of its items counts as {points})"),
    "sa.prorate": ("{types}：本部分得分按 {share} 折算", "{types}: this section is prorated by {share}"),
    "sa.subtotal": ("{code} {name} 小计", "{code} {name}: subtotal"),
    "sa.bonus": ("加分项（最多 {cap} 分，计入总分）", "Bonus items (at most {cap} points, added to the total)"),
    "sa.bonus.subtotal": ("加分小计（最多 {cap} 分）", "Bonus subtotal (at most {cap} points)"),
    "sa.bands": ("等级评定", "Grade bands"),
    "sa.bands.total": ("按总分评定：", "By the total:"),
    "sa.bands.total_bonus": ("按总分（含加分）评定：", "By the total with bonus:"),
    "sa.bands.percent": ("按得分率（合计 ÷ 应得分）评定：", "By the percentage (total ÷ maximum):"),
    "sa.bands.none": ("本细则不评定等级。", "This rubric has no grade bands."),
    "sa.vetoes": ("一票否决", "Veto items"),
    "sa.vetoes.none": ("本细则未设一票否决项。", "This rubric has no veto items."),
    "sa.result": ("自评结果：合计 ________ 分，等级 ____________，是否触发一票否决 ______。",
                  "Result: total ______ points, grade ____________, veto triggered (yes/no) ______."),
    "sa.sign": ("单位负责人（签字）", "Head of unit (signature)"),
}


def t(key: str, lang: str, **values: object) -> str:
    """The text of ``key`` in ``lang`` ("zh" or "en"), with ``values`` filled in."""
    zh, en = TEXTS[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def tn(key: str, lang: str, n: int, **values: object) -> str:
    """``t`` for a text with a count ``n``: English takes ``key.one`` for exactly one."""
    if lang == "en" and n == 1 and f"{key}.one" in TEXTS:
        key = f"{key}.one"
    return t(key, lang, n=n, **values)


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown document language {lang!r}; one of {', '.join(LANGS)}")
    return lang
