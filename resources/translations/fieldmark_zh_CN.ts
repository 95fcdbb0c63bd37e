<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AmendDialog</name>
    <message>
        <source>Amend {code}</source>
        <translation>修订 {code}</translation>
    </message>
    <message>
        <source>Not &amp;applicable</source>
        <translation>不适用(&amp;A)</translation>
    </message>
    <message>
        <source>Reason for an award below the maximum:</source>
        <translation>未得满分的原因：</translation>
    </message>
    <message>
        <source>Note:</source>
        <translation>备注：</translation>
    </message>
    <message>
        <source>No photos to add.</source>
        <translation>无需补充照片。</translation>
    </message>
    <message>
        <source>Add &amp;photos…</source>
        <translation>补充照片(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Reason for the change (kept in the audit trail):</source>
        <translation>修改原因（记入修订记录）(&amp;R)：</translation>
    </message>
    <message>
        <source>A&amp;mend</source>
        <translation>修订(&amp;M)</translation>
    </message>
    <message>
        <source>Photos to add</source>
        <translation>补充照片</translation>
    </message>
    <message>
        <source>Photos (*.jpg *.jpeg *.png *.heic *.heif *.webp)</source>
        <translation>照片 (*.jpg *.jpeg *.png *.heic *.heif *.webp)</translation>
    </message>
    <message numerus="yes">
        <source>%n photo(s) to add: {names}</source>
        <translation>
            <numerusform>将补充 %n 张照片：{names}</numerusform>
        </translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
</context>
<context>
    <name>AuditTrailDialog</name>
    <message>
        <source>N/A</source>
        <translation>不适用</translation>
    </message>
    <message>
        <source>Pass</source>
        <translation>合格</translation>
    </message>
    <message>
        <source>Fail</source>
        <translation>不合格</translation>
    </message>
    <message>
        <source>No deductions</source>
        <translation>无扣分</translation>
    </message>
    <message>
        <source>Audit trail</source>
        <translation>修订记录</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Old</source>
        <translation>原值</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新值</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>No amendments.</source>
        <translation>暂无修订。</translation>
    </message>
    <message>
        <source>photo added: {name}</source>
        <translation>补充照片：{name}</translation>
    </message>
    <message>
        <source>note: {note}</source>
        <translation>备注：{note}</translation>
    </message>
    <message>
        <source>(no answer)</source>
        <translation>（未评）</translation>
    </message>
</context>
<context>
    <name>BackupActions</name>
    <message>
        <source>&amp;Back up now</source>
        <translation>立即备份(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Restore from backup…</source>
        <translation>从备份恢复(&amp;R)…</translation>
    </message>
    <message>
        <source>Backing up…</source>
        <translation>正在备份…</translation>
    </message>
    <message>
        <source>Back up now</source>
        <translation>立即备份</translation>
    </message>
    <message>
        <source>The data was backed up to {file}.</source>
        <translation>数据已备份到 {file}。</translation>
    </message>
    <message>
        <source>Restore from backup</source>
        <translation>从备份恢复</translation>
    </message>
    <message>
        <source>Fieldmark backups (*.sqlite3)</source>
        <translation>Fieldmark 备份 (*.sqlite3)</translation>
    </message>
    <message>
        <source>Replace the data in use with {file}?

The current data is kept as a backup in {folder}, so this can be undone. Fieldmark restarts on the restored data.</source>
        <translation>用 {file} 替换当前使用的数据吗？

当前数据会作为备份保存在 {folder}，因此可以撤销。Fieldmark 将以恢复后的数据重新启动。</translation>
    </message>
    <message>
        <source>Fieldmark is still syncing or working in the background. Wait until it has finished, then restore again. Nothing was changed.</source>
        <translation>Fieldmark 仍在同步或在后台处理任务。请等待完成后再恢复。没有更改任何数据。</translation>
    </message>
    <message>
        <source>Restoring…</source>
        <translation>正在恢复…</translation>
    </message>
    <message>
        <source>The backup was restored. Fieldmark starts again now.</source>
        <translation>备份已恢复。Fieldmark 现在重新启动。</translation>
    </message>
    <message>
        <source>The data it replaced is kept as {file}.</source>
        <translation>被替换的数据已保存为 {file}。</translation>
    </message>
    <message>
        <source>Nothing was replaced. Fieldmark starts again to reopen your data.</source>
        <translation>没有替换任何数据。Fieldmark 将重新启动以重新打开您的数据。</translation>
    </message>
</context>
<context>
    <name>BundleActions</name>
    <message>
        <source>&amp;Export bundle…</source>
        <translation>导出离线包(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Import bundle…</source>
        <translation>导入离线包(&amp;I)…</translation>
    </message>
    <message>
        <source>Save bundle</source>
        <translation>保存离线包</translation>
    </message>
    <message>
        <source>Fieldmark bundles (*.fmbundle)</source>
        <translation>Fieldmark 离线包 (*.fmbundle)</translation>
    </message>
    <message>
        <source>It is encrypted for the office: hand it in, or import it on the server.</source>
        <translation>离线包已按办公室的密钥加密：请交到办公室，或在服务器上导入。</translation>
    </message>
    <message>
        <source>Your team-mate imports it with File → Import bundle….</source>
        <translation>同组督学可通过“文件 → 导入离线包…”导入。</translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n visit(s) to {path}.</source>
        <translation>
            <numerusform>已将 %n 次督导写入 {path}。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n photo(s) included.</source>
        <translation>
            <numerusform>含 %n 张照片。</numerusform>
        </translation>
    </message>
    <message>
        <source>Your changes stay marked as not yet synced until the server confirms them.</source>
        <translation>在服务器确认收到之前，这些修改仍标记为未同步。</translation>
    </message>
    <message>
        <source>Export bundle</source>
        <translation>导出离线包</translation>
    </message>
    <message>
        <source>Import bundle</source>
        <translation>导入离线包</translation>
    </message>
    <message>
        <source>This bundle comes from device {device}, which this laptop has not seen before.

Its key&apos;s fingerprint is {fingerprint}. Ask the sender to read theirs (fieldmark bundle key) and trust the device only if they match.

Trust this device?</source>
        <translation>此离线包来自设备 {device}，本机此前未见过该设备。

其密钥指纹为 {fingerprint}。请发送人读出其本机的指纹（fieldmark bundle key），两者一致时才信任该设备。

信任此设备？</translation>
    </message>
    <message>
        <source>This bundle was imported before; nothing changed.</source>
        <translation>此离线包已导入过，未作任何更改。</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) stored.</source>
        <translation>
            <numerusform>已保存 %n 条记录。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n photo(s) stored.</source>
        <translation>
            <numerusform>已保存 %n 张照片。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n conflict(s) wait for you to choose a version (Sync → Review conflicts…).</source>
        <translation>
            <numerusform>有 %n 处冲突等待您选择版本（同步 → 处理冲突…）。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) could not be stored here:</source>
        <translation>
            <numerusform>有 %n 条记录无法保存在本机：</numerusform>
        </translation>
    </message>
    <message>
        <source>Bundle refused</source>
        <translation>离线包被拒绝</translation>
    </message>
    <message>
        <source>The bundle was refused; nothing of it was stored.</source>
        <translation>离线包被拒绝，其内容均未保存。</translation>
    </message>
    <message>
        <source>Bundle</source>
        <translation>离线包</translation>
    </message>
</context>
<context>
    <name>ChecklistPage</name>
    <message>
        <source>&amp;Retry saving</source>
        <translation>重新保存(&amp;R)</translation>
    </message>
    <message>
        <source>Previous</source>
        <translation>上一项</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一项</translation>
    </message>
    <message>
        <source>Next unanswered</source>
        <translation>下一未评项</translation>
    </message>
    <message>
        <source>{unit} · {date}</source>
        <translation>{unit} · {date}</translation>
    </message>
    <message>
        <source>Answer {code}</source>
        <translation>评分 {code}</translation>
    </message>
    <message numerus="yes">
        <source>Not saved: %n answer(s).</source>
        <translation>
            <numerusform>%n 项评分未保存。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Trying again in %n second(s).</source>
        <translation>
            <numerusform>%n 秒后自动重试。</numerusform>
        </translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>All changes saved</source>
        <translation>所有更改已保存</translation>
    </message>
    <message>
        <source>The disk is full: free some space.</source>
        <translation>磁盘已满，请腾出空间。</translation>
    </message>
    <message>
        <source>The data folder is read-only.</source>
        <translation>数据文件夹为只读。</translation>
    </message>
    <message>
        <source>The database is busy.</source>
        <translation>数据库正忙。</translation>
    </message>
    <message>
        <source>The disk could not be written.</source>
        <translation>磁盘无法写入。</translation>
    </message>
    <message>
        <source>Next unanswered item</source>
        <translation>下一未评项</translation>
    </message>
    <message>
        <source>Previous unanswered item</source>
        <translation>上一未评项</translation>
    </message>
    <message>
        <source>Next item</source>
        <translation>下一项</translation>
    </message>
    <message>
        <source>Previous item</source>
        <translation>上一项</translation>
    </message>
    <message>
        <source>Go to the answer</source>
        <translation>转到评分</translation>
    </message>
    <message>
        <source>Go to the section tree</source>
        <translation>转到评估项目树</translation>
    </message>
    <message>
        <source>Add finding…</source>
        <translation>添加问题…</translation>
    </message>
    <message>
        <source>Add a good practice</source>
        <translation>添加好的做法</translation>
    </message>
    <message>
        <source>Attach photos…</source>
        <translation>添加照片…</translation>
    </message>
    <message>
        <source>Gap check…</source>
        <translation>查漏补缺…</translation>
    </message>
    <message>
        <source>Team leader signs…</source>
        <translation>组长签名…</translation>
    </message>
    <message>
        <source>Unit head signs…</source>
        <translation>受检单位负责人签名…</translation>
    </message>
    <message>
        <source>Finalize…</source>
        <translation>定稿…</translation>
    </message>
    <message>
        <source>Print feedback sheet ×2</source>
        <translation>打印反馈意见书×2</translation>
    </message>
    <message>
        <source>Amend…</source>
        <translation>修订…</translation>
    </message>
    <message>
        <source>Audit trail</source>
        <translation>修订记录</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>The feedback sheet in two copies on the default printer: one for the unit, one for the visit&apos;s file (Ctrl+Alt+P)</source>
        <translation>在默认打印机上打印现场反馈意见书两份：一份交受检单位，一份存入督导档案（Ctrl+Alt+P）</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
</context>
<context>
    <name>ChoiceEditorWidget</name>
    <message>
        <source>Pass ({points} pts)</source>
        <translation>合格（{points} 分）</translation>
    </message>
    <message>
        <source>Pass</source>
        <translation>合格</translation>
    </message>
    <message>
        <source>Fail (0 pts)</source>
        <translation>不合格（0 分）</translation>
    </message>
    <message>
        <source>Fail</source>
        <translation>不合格</translation>
    </message>
    <message>
        <source>{label} ({points} pts)</source>
        <translation>{label}（{points} 分）</translation>
    </message>
    <message>
        <source>{choice}: vetoes the visit (一票否决)</source>
        <translation>{choice}：一票否决</translation>
    </message>
    <message>
        <source>{choice}: caps the grade (一票否决)</source>
        <translation>{choice}：一票否决，等级受限</translation>
    </message>
</context>
<context>
    <name>ConflictDialog</name>
    <message>
        <source>Answer</source>
        <translation>评分</translation>
    </message>
    <message>
        <source>Not applicable</source>
        <translation>不适用</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>How it was checked</source>
        <translation>检查方式</translation>
    </message>
    <message>
        <source>Answered by</source>
        <translation>评分人</translation>
    </message>
    <message>
        <source>Answered at</source>
        <translation>评分时间</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>问题描述</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>性质</translation>
    </message>
    <message>
        <source>Caption</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Deleted</source>
        <translation>已删除</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>已删除</translation>
    </message>
    <message>
        <source>kept</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Sync conflicts</source>
        <translation>同步冲突</translation>
    </message>
    <message>
        <source>Open conflicts</source>
        <translation>待处理的冲突</translation>
    </message>
    <message>
        <source>The same item was changed on two laptops (or by the office) since it was last synced. Both versions are kept until you choose; until then the visit cannot be finalized.</source>
        <translation>自上次同步以来，同一内容在两台电脑上（或由办公室）被修改。两个版本都会保留，直到您作出选择；在此之前该督导无法定稿。</translation>
    </message>
    <message>
        <source>This visit is finalized. Keeping the finalized version changes nothing; keeping the other version (or a merge) changes the finalized visit, which is recorded as an amendment with your reason.</source>
        <translation>此访视已定稿。保留定稿版本不作任何更改；保留另一版本（或合并）会更改定稿内容，将作为一次修订记录，并需填写修订理由。</translation>
    </message>
    <message>
        <source>Mine</source>
        <translation>我的版本</translation>
    </message>
    <message>
        <source>Theirs</source>
        <translation>对方版本</translation>
    </message>
    <message>
        <source>Keep &amp;mine</source>
        <translation>保留我的(&amp;M)</translation>
    </message>
    <message>
        <source>Keep &amp;theirs</source>
        <translation>保留对方的(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Edit a merge…</source>
        <translation>编辑合并(&amp;E)…</translation>
    </message>
    <message>
        <source>No conflict is open.</source>
        <translation>没有待处理的冲突。</translation>
    </message>
    <message>
        <source>found {when}</source>
        <translation>发现于 {when}</translation>
    </message>
    <message>
        <source>Not taken by the server</source>
        <translation>服务器未接收</translation>
    </message>
    <message>
        <source>Keep &amp;mine as an amendment…</source>
        <translation>作为修订保留我的版本(&amp;M)…</translation>
    </message>
    <message>
        <source>Accept &amp;theirs as an amendment…</source>
        <translation>作为修订采纳对方版本(&amp;T)…</translation>
    </message>
    <message>
        <source>Amend the finalized visit</source>
        <translation>修订已定稿的访视</translation>
    </message>
    <message>
        <source>This choice changes the finalized visit. Reason for the amendment:</source>
        <translation>此选择将更改已定稿的访视。修订理由：</translation>
    </message>
</context>
<context>
    <name>CountEditorWidget</name>
    <message>
        <source>A whole number</source>
        <translation>整数</translation>
    </message>
    <message>
        <source>{each} points each, at most {max}</source>
        <translation>每个 {each} 分，最多 {max} 分</translation>
    </message>
</context>
<context>
    <name>DeductionEditorWidget</name>
    <message>
        <source>−{points} each</source>
        <translation>每处扣 {points} 分</translation>
    </message>
    <message>
        <source>No deductions (full marks)</source>
        <translation>无扣分（满分）</translation>
    </message>
</context>
<context>
    <name>DiagnosticsAction</name>
    <message>
        <source>Save &amp;diagnostics…</source>
        <translation>保存诊断信息(&amp;D)…</translation>
    </message>
    <message>
        <source>Save diagnostics</source>
        <translation>保存诊断信息</translation>
    </message>
    <message>
        <source>Zip files (*.zip)</source>
        <translation>Zip 文件 (*.zip)</translation>
    </message>
    <message>
        <source>Saving diagnostics…</source>
        <translation>正在保存诊断信息…</translation>
    </message>
    <message>
        <source>Diagnostics saved to {file}. It holds no password and no photo; send it to your office&apos;s support staff.</source>
        <translation>诊断信息已保存到 {file}。其中不含密码和照片；请发给本单位的技术支持人员。</translation>
    </message>
</context>
<context>
    <name>ErrorDialog</name>
    <message>
        <source>Fieldmark: something went wrong</source>
        <translation>Fieldmark：出现错误</translation>
    </message>
    <message>
        <source>&amp;Copy details</source>
        <translation>复制详细信息(&amp;C)</translation>
    </message>
    <message>
        <source>An unexpected error stopped the last action: {error}</source>
        <translation>意外错误使刚才的操作未能完成：{error}</translation>
    </message>
    <message numerus="yes">
        <source>%n unexpected error(s) stopped the last actions. The latest: {error}</source>
        <translation>
            <numerusform>%n 个意外错误使刚才的操作未能完成。最近一个：{error}</numerusform>
        </translation>
    </message>
    <message>
        <source>What was saved before is safe; the action that failed left nothing half-done.</source>
        <translation>此前已保存的内容安全无损；失败的操作没有留下任何半截数据。</translation>
    </message>
    <message>
        <source>The details are in the log file {path}.</source>
        <translation>详细信息已写入日志文件 {path}。</translation>
    </message>
    <message>
        <source>The log file could not be written; copy the details below.</source>
        <translation>日志文件无法写入，请复制下面的详细信息。</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
</context>
<context>
    <name>ExportBundleDialog</name>
    <message>
        <source>Export bundle</source>
        <translation>导出离线包</translation>
    </message>
    <message>
        <source>Visits to carry in the bundle:</source>
        <translation>要放入离线包的督导：</translation>
    </message>
    <message>
        <source>For the office (encrypted: only the office&apos;s server can open it)</source>
        <translation>交办公室（加密：只有办公室的服务器能打开）</translation>
    </message>
    <message>
        <source>For a team-mate&apos;s laptop</source>
        <translation>给同组督学的电脑</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>in progress</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>finalized</source>
        <translation>已定稿</translation>
    </message>
    <message>
        <source>amended</source>
        <translation>已修订</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
</context>
<context>
    <name>FindingDialog</name>
    <message>
        <source>Add a finding</source>
        <translation>添加问题</translation>
    </message>
    <message>
        <source>What is wrong, as the unit will read it</source>
        <translation>存在的问题（受检单位将看到这段文字）</translation>
    </message>
    <message>
        <source>None: the visit as a whole</source>
        <translation>无：针对本次督导整体</translation>
    </message>
    <message>
        <source>General</source>
        <translation>一般</translation>
    </message>
    <message>
        <source>Major</source>
        <translation>重大</translation>
    </message>
    <message>
        <source>What the unit must do to rectify it</source>
        <translation>单位应如何整改</translation>
    </message>
    <message>
        <source>Person or department responsible</source>
        <translation>责任人或责任部门</translation>
    </message>
    <message>
        <source>&amp;Description:</source>
        <translation>问题描述(&amp;D)：</translation>
    </message>
    <message>
        <source>&amp;Item:</source>
        <translation>所属指标(&amp;I)：</translation>
    </message>
    <message>
        <source>&amp;Severity:</source>
        <translation>问题性质(&amp;S)：</translation>
    </message>
    <message>
        <source>&amp;Requirement:</source>
        <translation>整改要求(&amp;R)：</translation>
    </message>
    <message>
        <source>D&amp;eadline:</source>
        <translation>整改期限(&amp;E)：</translation>
    </message>
    <message>
        <source>Res&amp;ponsible:</source>
        <translation>责任人(&amp;P)：</translation>
    </message>
</context>
<context>
    <name>FindingsPanelWidget</name>
    <message>
        <source>Major</source>
        <translation>重大</translation>
    </message>
    <message>
        <source>General</source>
        <translation>一般</translation>
    </message>
    <message>
        <source>Open findings from earlier visits: re-check them first</source>
        <translation>以往督导中未销号的问题：请先复查</translation>
    </message>
    <message>
        <source>&amp;Verified</source>
        <translation>复查通过(&amp;V)</translation>
    </message>
    <message>
        <source>Not fixed: re&amp;open</source>
        <translation>未整改到位，重新打开(&amp;O)</translation>
    </message>
    <message>
        <source>Findings</source>
        <translation>存在问题</translation>
    </message>
    <message>
        <source>Drop photos on a finding to attach them to it</source>
        <translation>将照片拖到问题上即可关联到该问题</translation>
    </message>
    <message>
        <source>Add finding…</source>
        <translation>添加问题…</translation>
    </message>
    <message>
        <source>Good practices</source>
        <translation>好的做法</translation>
    </message>
    <message>
        <source>A good practice worth sharing</source>
        <translation>值得推广的好做法</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>[{severity}] {description}</source>
        <translation>【{severity}】{description}</translation>
    </message>
    <message>
        <source>Rectify by {deadline}, {responsible}</source>
        <translation>{deadline} 前整改，责任人：{responsible}</translation>
    </message>
    <message>
        <source>[{status}] {description}</source>
        <translation>【{status}】{description}</translation>
    </message>
    <message>
        <source>open</source>
        <translation>待整改</translation>
    </message>
    <message>
        <source>reported fixed</source>
        <translation>已报整改</translation>
    </message>
    <message>
        <source>verified</source>
        <translation>已复查</translation>
    </message>
    <message>
        <source>reopened</source>
        <translation>重新整改</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>已销号</translation>
    </message>
    <message>
        <source>fixed on site</source>
        <translation>立行立改</translation>
    </message>
    <message>
        <source>plan received</source>
        <translation>已收到整改方案</translation>
    </message>
    <message>
        <source>the office</source>
        <translation>督导办</translation>
    </message>
    <message>
        <source>No history recorded.</source>
        <translation>没有记录。</translation>
    </message>
</context>
<context>
    <name>FreeSpaceAction</name>
    <message>
        <source>Free &amp;up space…</source>
        <translation>释放空间(&amp;U)…</translation>
    </message>
    <message>
        <source>Remove from this laptop the photo originals of finalized visits that the server holds; their thumbnails stay</source>
        <translation>从本机删除服务器已保存的已定稿督导的原照片；缩略图保留</translation>
    </message>
    <message>
        <source>Photos kept because the server does not hold them yet: {count}. Sync first.</source>
        <translation>服务器尚未保存而保留的照片：{count} 张。请先同步。</translation>
    </message>
    <message>
        <source>Nothing to remove: no photo of a finalized, synced visit is held only here.</source>
        <translation>没有可删除的照片：没有已定稿并已同步的督导照片只保存在本机。</translation>
    </message>
    <message>
        <source>Photo originals of finalized visits that the server holds: {count} ({mb} MB). They can be removed from this laptop.</source>
        <translation>服务器已保存的已定稿督导原照片：{count} 张（{mb} MB），可以从本机删除。</translation>
    </message>
    <message>
        <source>Thumbnails stay, so the visits still show their photos; an original comes back from the server when you open it or print it.</source>
        <translation>缩略图保留，督导中仍可看到照片；打开或打印时会从服务器取回原照片。</translation>
    </message>
    <message>
        <source>Remove them now?</source>
        <translation>现在删除吗？</translation>
    </message>
    <message>
        <source>Photo originals removed: {count}, {mb} MB freed.</source>
        <translation>已删除原照片：{count} 张，释放 {mb} MB。</translation>
    </message>
    <message>
        <source>Photos that could not be removed and stay on this laptop: {count}</source>
        <translation>未能删除、仍保留在本机的照片：{count} 张</translation>
    </message>
    <message>
        <source>Free up space</source>
        <translation>释放空间</translation>
    </message>
    <message>
        <source>Nothing was removed: {error}</source>
        <translation>未删除任何照片：{error}</translation>
    </message>
</context>
<context>
    <name>GapDialog</name>
    <message>
        <source>Gap check</source>
        <translation>查漏补缺</translation>
    </message>
    <message numerus="yes">
        <source>%n thing(s) still missing. Press Enter on one to go there.</source>
        <translation>
            <numerusform>尚有 %n 处待补。选中一项后按 Enter 键可跳转。</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing is missing: every required item is answered and both signatures are in.</source>
        <translation>没有待补项：所有必评指标均已评分，双方均已签名。</translation>
    </message>
    <message>
        <source>&amp;Go to</source>
        <translation>转到(&amp;G)</translation>
    </message>
    <message>
        <source>The office does not allow finalizing a visit with gaps. Close them first.</source>
        <translation>督导机构不允许在有待补项时定稿，请先补齐。</translation>
    </message>
    <message>
        <source>&amp;Finalize anyway</source>
        <translation>仍然定稿(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Finalize</source>
        <translation>定稿(&amp;F)</translation>
    </message>
    <message numerus="yes">
        <source>&amp;I finalize this visit with %n gap(s) still open; they will show on the record.</source>
        <translation>
            <numerusform>我确认在尚有 %n 处待补的情况下定稿，待补项将记入记录(&amp;I)。</numerusform>
        </translation>
    </message>
    <message>
        <source>Not answered: {item}</source>
        <translation>未评：{item}</translation>
    </message>
    <message>
        <source>Below the maximum without a reason: {item}</source>
        <translation>扣分无理由：{item}</translation>
    </message>
    <message>
        <source>Photo required: {item}</source>
        <translation>缺照片：{item}</translation>
    </message>
    <message>
        <source>Unit profile number missing: {detail}</source>
        <translation>缺单位概况数字：{detail}</translation>
    </message>
    <message>
        <source>Signature missing: team leader</source>
        <translation>缺签名：组长</translation>
    </message>
    <message>
        <source>Signature missing: unit head</source>
        <translation>缺签名：单位负责人</translation>
    </message>
</context>
<context>
    <name>GradeWords</name>
    <message numerus="yes">
        <source>{band} (provisional: %n item(s) not yet assessed)</source>
        <translation>
            <numerusform>{band}（暂定：尚有 %n 项未评）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ImportProgressDialog</name>
    <message>
        <source>Importing photos…</source>
        <translation>正在导入照片…</translation>
    </message>
    <message>
        <source>{done} of {total}: {name}</source>
        <translation>{done} / {total}：{name}</translation>
    </message>
    <message>
        <source>Cancelling: finishing the photos in progress…</source>
        <translation>正在取消：等待处理中的照片完成…</translation>
    </message>
    <message>
        <source>Import cancelled</source>
        <translation>导入已取消</translation>
    </message>
    <message>
        <source>Import finished</source>
        <translation>导入完成</translation>
    </message>
    <message numerus="yes">
        <source>%n photo(s) imported</source>
        <translation>
            <numerusform>已导入 %n 张照片</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n photo(s) already in this visit, skipped</source>
        <translation>
            <numerusform>%n 张照片已在本次督导中，已跳过</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) could not be imported:</source>
        <translation>
            <numerusform>%n 个文件无法导入：</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) left out because the import was cancelled</source>
        <translation>
            <numerusform>导入已取消，%n 个文件未导入</numerusform>
        </translation>
    </message>
    <message>
        <source>{file}: {reason}</source>
        <translation>{file}：{reason}</translation>
    </message>
</context>
<context>
    <name>IndicatorEditorWidget</name>
    <message>
        <source>Value reported by the unit (optional)</source>
        <translation>单位上报值（选填）</translation>
    </message>
    <message>
        <source>Target: {cmp} {target}{unit}</source>
        <translation>目标：{cmp} {target}{unit}</translation>
    </message>
    <message>
        <source>Enter the numbers to compute the value.</source>
        <translation>请输入数据以计算结果。</translation>
    </message>
    <message>
        <source>Cannot be computed (the denominator is 0): not met.</source>
        <translation>无法计算（分母为 0）：未达标。</translation>
    </message>
    <message>
        <source>Computed: {value}{unit}, meets the target.</source>
        <translation>计算结果：{value}{unit}，达到目标。</translation>
    </message>
    <message>
        <source>Computed: {value}{unit}, below the target.</source>
        <translation>计算结果：{value}{unit}，未达目标。</translation>
    </message>
    <message>
        <source>Mismatch: the unit reported {reported}{unit}.</source>
        <translation>数据不符：单位上报为 {reported}{unit}。</translation>
    </message>
</context>
<context>
    <name>ItemPaneWidget</name>
    <message>
        <source>Documents</source>
        <translation>查阅资料</translation>
    </message>
    <message>
        <source>Site visit</source>
        <translation>实地察看</translation>
    </message>
    <message>
        <source>Interview</source>
        <translation>座谈</translation>
    </message>
    <message>
        <source>Questionnaire</source>
        <translation>问卷</translation>
    </message>
    <message>
        <source>Spot check</source>
        <translation>抽查</translation>
    </message>
    <message>
        <source>Not &amp;applicable</source>
        <translation>不适用(&amp;A)</translation>
    </message>
    <message>
        <source>C&amp;lear answer</source>
        <translation>清除答案(&amp;L)</translation>
    </message>
    <message>
        <source>this vetoes the visit (一票否决)</source>
        <translation>一票否决，本次评估不予通过</translation>
    </message>
    <message>
        <source>the grade is capped (一票否决)</source>
        <translation>一票否决，等级受限</translation>
    </message>
    <message>
        <source>Failed: {veto}</source>
        <translation>不合格：{veto}</translation>
    </message>
    <message>
        <source>Score {awarded} / {max} · {veto}</source>
        <translation>得分 {awarded} / {max} · {veto}</translation>
    </message>
    <message>
        <source>What was missing or wrong (required for the gap check)</source>
        <translation>缺失或不符合的内容（查漏补缺必填）</translation>
    </message>
    <message>
        <source>Evidence from:</source>
        <translation>评估方式：</translation>
    </message>
    <message>
        <source>Veto item (一票否决): if “{label}”, the grade is capped, whatever the score.</source>
        <translation>一票否决项：若“{label}”，无论总分多少，等级都将被限定。</translation>
    </message>
    <message>
        <source>Veto item (一票否决): if “{label}”, the visit fails, whatever the score.</source>
        <translation>一票否决项：若“{label}”，无论总分多少，本次评估一律不予通过。</translation>
    </message>
    <message>
        <source>A reason is asked for when the award is below the maximum.</source>
        <translation>得分低于满分时需填写扣分理由。</translation>
    </message>
    <message>
        <source>N&amp;ote:</source>
        <translation>备注(&amp;O)：</translation>
    </message>
    <message>
        <source>What you saw, who you talked to</source>
        <translation>所见情况、访谈对象</translation>
    </message>
    <message>
        <source>This visit is finalized: its answers cannot be edited here. Use Amend to change one, with a reason.</source>
        <translation>本次督导已定稿，不能在此修改评分。如需更改，请使用“修订”并说明理由。</translation>
    </message>
    <message>
        <source>Maximum {points} pts</source>
        <translation>满分 {points} 分</translation>
    </message>
    <message>
        <source>Expected evidence: {methods}</source>
        <translation>应采用：{methods}</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>Photo required</source>
        <translation>须附照片</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>非必评</translation>
    </message>
    <message>
        <source>Not applicable: left out of the maximum</source>
        <translation>不适用：不计入应得分</translation>
    </message>
    <message>
        <source>Not answered yet</source>
        <translation>尚未评分</translation>
    </message>
    <message>
        <source>Not answered yet · maximum {max}</source>
        <translation>尚未评分 · 满分 {max}</translation>
    </message>
    <message>
        <source>Passed: no veto</source>
        <translation>合格：不触发否决</translation>
    </message>
    <message>
        <source>Score {awarded} / {max}</source>
        <translation>得分 {awarded} / {max}</translation>
    </message>
    <message>
        <source>The award is below the maximum. &amp;Reason (required):</source>
        <translation>未得满分。原因（必填）(&amp;R)：</translation>
    </message>
    <message>
        <source>The award is below the maximum. &amp;Reason (optional):</source>
        <translation>未得满分。原因（选填）(&amp;R)：</translation>
    </message>
    <message>
        <source>What was missing or wrong</source>
        <translation>缺少什么或存在什么问题</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Log in to the server</source>
        <translation>登录服务器</translation>
    </message>
    <message>
        <source>The login is kept in this computer&apos;s keychain; the password is not kept.</source>
        <translation>登录凭据保存在本机的钥匙串中，密码不会保存。</translation>
    </message>
    <message>
        <source>No keychain is available on this computer: Fieldmark does not keep your login, and asks for the password at each sync.</source>
        <translation>本机没有可用的钥匙串：Fieldmark 不保存您的登录，每次同步都会询问密码。</translation>
    </message>
    <message>
        <source>Server address:</source>
        <translation>服务器地址：</translation>
    </message>
    <message>
        <source>Login name:</source>
        <translation>登录名：</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>密码：</translation>
    </message>
    <message>
        <source>&amp;Log in</source>
        <translation>登录(&amp;L)</translation>
    </message>
    <message>
        <source>Fill in the server address, the login name and the password.</source>
        <translation>请填写服务器地址、登录名和密码。</translation>
    </message>
    <message>
        <source>The server address starts with https://</source>
        <translation>服务器地址以 https:// 开头</translation>
    </message>
    <message>
        <source>Logging in…</source>
        <translation>正在登录…</translation>
    </message>
    <message>
        <source>No keychain is available: the password is asked at each sync.</source>
        <translation>没有可用的钥匙串：每次同步都会询问密码。</translation>
    </message>
    <message>
        <source>The server did not accept this login name with that password.</source>
        <translation>服务器不接受该登录名和密码。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Fieldmark</source>
        <translation>Fieldmark</translation>
    </message>
    <message>
        <source>Views</source>
        <translation>视图</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今日</translation>
    </message>
    <message>
        <source>Visits</source>
        <translation>督导记录</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Rubrics</source>
        <translation>评分细则</translation>
    </message>
    <message>
        <source>Open visit</source>
        <translation>当前督导</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>正在处理…</translation>
    </message>
    <message>
        <source>Opening the profile…</source>
        <translation>正在打开数据…</translation>
    </message>
    <message>
        <source>Loading the demo data…</source>
        <translation>正在载入演示数据…</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New visit…</source>
        <translation>新建督导(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Today</source>
        <translation>今日(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Visits</source>
        <translation>督导记录(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Units</source>
        <translation>单位(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Rubrics</source>
        <translation>评分细则(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Find</source>
        <translation>查找(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>V&amp;isit</source>
        <translation>督导(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Back to open visit</source>
        <translation>返回当前督导(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Print feedback sheet…</source>
        <translation>打印现场反馈意见书(&amp;P)…</translation>
    </message>
    <message>
        <source>Print &amp;rectification notice…</source>
        <translation>打印整改通知书(&amp;R)…</translation>
    </message>
    <message>
        <source>Print full &amp;report…</source>
        <translation>打印督导报告(&amp;R)…</translation>
    </message>
    <message>
        <source>&amp;Sync</source>
        <translation>同步(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Sync now</source>
        <translation>立即同步(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Log in to the server…</source>
        <translation>登录服务器(&amp;L)…</translation>
    </message>
    <message>
        <source>Review &amp;conflicts…</source>
        <translation>处理冲突(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Fieldmark</source>
        <translation>关于 Fieldmark(&amp;A)</translation>
    </message>
    <message>
        <source>not open yet</source>
        <translation>尚未打开</translation>
    </message>
    <message>
        <source>Fieldmark {version}

Offline-first inspection checklists, live scoring and feedback.

Python {python}, Qt {qt} (PySide6 {pyside})
Data folder: {folder}</source>
        <translation>Fieldmark {version}

离线优先的督导检查清单，实时评分，现场反馈。

Python {python}，Qt {qt}（PySide6 {pyside}）
数据文件夹：{folder}</translation>
    </message>
    <message>
        <source>Fieldmark {version} is available from the office: {url}</source>
        <translation>督导办已提供 Fieldmark {version}：{url}</translation>
    </message>
    <message>
        <source>About Fieldmark</source>
        <translation>关于 Fieldmark</translation>
    </message>
    <message numerus="yes">
        <source>%n answer(s) could not be saved.</source>
        <translation>
            <numerusform>%n 项评分未能保存。</numerusform>
        </translation>
    </message>
    <message>
        <source>If you quit now, they are written to the log file {path} so they can be typed in again.</source>
        <translation>如果现在退出，这些评分将写入日志文件 {path}，以便之后重新录入。</translation>
    </message>
    <message>
        <source>If you quit now, they are lost.</source>
        <translation>如果现在退出，这些评分将丢失。</translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>重试(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Quit without them</source>
        <translation>不保存并退出(&amp;Q)</translation>
    </message>
</context>
<context>
    <name>MergeDialog</name>
    <message>
        <source>Edit a merge</source>
        <translation>编辑合并</translation>
    </message>
    <message>
        <source>The first is yours, the second theirs; or type the text to keep.</source>
        <translation>第一项是您的，第二项是对方的；也可输入要保留的文字。</translation>
    </message>
    <message>
        <source>Mine: {value}</source>
        <translation>我的：{value}</translation>
    </message>
    <message>
        <source>Theirs: {value}</source>
        <translation>对方的：{value}</translation>
    </message>
    <message>
        <source>Each field starts from your version. Pick the other version&apos;s value, or type the text to keep.</source>
        <translation>每一项都从您的版本开始。可选用对方版本的值，或输入要保留的文字。</translation>
    </message>
</context>
<context>
    <name>NewVisitDialog</name>
    <message>
        <source>Start a visit from an assignment</source>
        <translation>根据督导任务开始督导</translation>
    </message>
    <message>
        <source>New visit</source>
        <translation>新建督导</translation>
    </message>
    <message>
        <source>Unit name or code</source>
        <translation>单位名称或代码</translation>
    </message>
    <message>
        <source>No unit chosen</source>
        <translation>未选择单位</translation>
    </message>
    <message>
        <source>No team</source>
        <translation>不指定督导组</translation>
    </message>
    <message>
        <source>Team members</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>Team leader</source>
        <translation>组长</translation>
    </message>
    <message>
        <source>Rubrics</source>
        <translation>评分细则</translation>
    </message>
    <message>
        <source>Section</source>
        <translation>评估项目</translation>
    </message>
    <message>
        <source>Checked by</source>
        <translation>检查人</translation>
    </message>
    <message>
        <source>Division of sections</source>
        <translation>分工</translation>
    </message>
    <message>
        <source>&amp;Start visit</source>
        <translation>开始督导(&amp;S)</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Visit</source>
        <translation>督导</translation>
    </message>
    <message>
        <source>&amp;Visit type</source>
        <translation>督导类型(&amp;V)</translation>
    </message>
    <message>
        <source>Dates</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>&amp;Team</source>
        <translation>督导组(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Members</source>
        <translation>成员(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Leader</source>
        <translation>组长(&amp;L)</translation>
    </message>
    <message>
        <source>Division of sections (分工)</source>
        <translation>分工</translation>
    </message>
    <message>
        <source>Unit: {name} ({code}, {kind})</source>
        <translation>单位：{name}（{code}，{kind}）</translation>
    </message>
    <message>
        <source>Whole team</source>
        <translation>全组</translation>
    </message>
    <message>
        <source>Choose the unit to visit.</source>
        <translation>请选择受检单位。</translation>
    </message>
    <message>
        <source>Choose at least one rubric.</source>
        <translation>请至少选择一项评分细则。</translation>
    </message>
</context>
<context>
    <name>PageFlowsMixin</name>
    <message>
        <source>In progress</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>Finalized</source>
        <translation>已定稿</translation>
    </message>
    <message>
        <source>Finalized, amended</source>
        <translation>已定稿（已修订）</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Planned</source>
        <translation>已安排</translation>
    </message>
    <message>
        <source>Error: {error}</source>
        <translation>错误：{error}</translation>
    </message>
</context>
<context>
    <name>PhotoCanvasWidget</name>
    <message>
        <source>Type, then Enter</source>
        <translation>输入文字后按 Enter</translation>
    </message>
</context>
<context>
    <name>PhotoFlows</name>
    <message>
        <source>Attaching…</source>
        <translation>正在添加…</translation>
    </message>
    <message numerus="yes">
        <source>%n photo(s) attached, some files could not be imported</source>
        <translation>
            <numerusform>已添加 %n 张照片，部分文件无法导入</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n photo(s) attached, the others were already in this visit</source>
        <translation>
            <numerusform>已添加 %n 张照片，其余照片已在本次督导中</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n photo(s) attached</source>
        <translation>
            <numerusform>已添加 %n 张照片</numerusform>
        </translation>
    </message>
    <message>
        <source>Attaching photos</source>
        <translation>正在添加照片</translation>
    </message>
    <message>
        <source>Importing a folder</source>
        <translation>正在导入文件夹</translation>
    </message>
    <message>
        <source>The clipboard holds no image</source>
        <translation>剪贴板中没有图片</translation>
    </message>
    <message>
        <source>Pasted photo.png</source>
        <translation>粘贴的照片.png</translation>
    </message>
    <message>
        <source>Pasting a photo</source>
        <translation>正在粘贴照片</translation>
    </message>
    <message>
        <source>Adding photos by amendment</source>
        <translation>以修订方式补充照片</translation>
    </message>
    <message>
        <source>Attaching photos to a finding</source>
        <translation>正在为问题添加照片</translation>
    </message>
    <message numerus="yes">
        <source>%n photo(s) linked to the finding</source>
        <translation>
            <numerusform>已将 %n 张照片关联到该问题</numerusform>
        </translation>
    </message>
    <message>
        <source>Photo deleted</source>
        <translation>照片已删除</translation>
    </message>
    <message>
        <source>Photo restored</source>
        <translation>照片已恢复</translation>
    </message>
</context>
<context>
    <name>PhotoStripWidget</name>
    <message>
        <source>Photos:</source>
        <translation>照片：</translation>
    </message>
    <message>
        <source>Attach &amp;photos…</source>
        <translation>添加照片(&amp;P)…</translation>
    </message>
    <message>
        <source>More</source>
        <translation>更多</translation>
    </message>
    <message>
        <source>Import folder…</source>
        <translation>导入文件夹…</translation>
    </message>
    <message>
        <source>Paste photo</source>
        <translation>粘贴照片</translation>
    </message>
    <message>
        <source>Recently deleted</source>
        <translation>最近删除</translation>
    </message>
    <message>
        <source>&amp;Undo delete</source>
        <translation>撤销删除(&amp;U)</translation>
    </message>
    <message>
        <source>{caption}
{name}</source>
        <translation>{caption}
{name}</translation>
    </message>
    <message numerus="yes">
        <source>Photos (%n):</source>
        <translation>
            <numerusform>照片（%n 张）：</numerusform>
        </translation>
    </message>
    <message>
        <source>Restore “{name}” (Ctrl+Z)</source>
        <translation>恢复“{name}”（Ctrl+Z）</translation>
    </message>
    <message>
        <source>(a photo is required)</source>
        <translation>（须附照片）</translation>
    </message>
    <message>
        <source>Attach photos</source>
        <translation>添加照片</translation>
    </message>
    <message>
        <source>Photos ({patterns})</source>
        <translation>照片 ({patterns})</translation>
    </message>
    <message>
        <source>Import a folder of photos</source>
        <translation>导入照片文件夹</translation>
    </message>
</context>
<context>
    <name>PhotoViewerDialog</name>
    <message>
        <source>Photo</source>
        <translation>照片</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Caption:</source>
        <translation>说明(&amp;C)：</translation>
    </message>
    <message>
        <source>What this photo shows</source>
        <translation>照片内容说明</translation>
    </message>
    <message>
        <source>On the feedback sheet</source>
        <translation>是否印在反馈意见书上</translation>
    </message>
    <message>
        <source>Sheet: automatic</source>
        <translation>意见书：自动选择</translation>
    </message>
    <message>
        <source>Sheet: print this photo</source>
        <translation>意见书：印这张照片</translation>
    </message>
    <message>
        <source>Sheet: leave it out</source>
        <translation>意见书：不印这张</translation>
    </message>
    <message>
        <source>Whether the feedback sheet prints this photo. Automatic puts the findings&apos; photos first, then captioned ones.</source>
        <translation>反馈意见书是否印这张照片。自动选择时先印问题的附图，再印有说明的照片。</translation>
    </message>
    <message>
        <source>{action} ({key})</source>
        <translation>{action}（{key}）</translation>
    </message>
    <message>
        <source>Move</source>
        <translation>移动</translation>
    </message>
    <message>
        <source>Arrow</source>
        <translation>箭头</translation>
    </message>
    <message>
        <source>Rectangle</source>
        <translation>矩形</translation>
    </message>
    <message>
        <source>Ellipse</source>
        <translation>椭圆</translation>
    </message>
    <message>
        <source>Freehand</source>
        <translation>手绘</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文字</translation>
    </message>
    <message>
        <source>Colour {number}</source>
        <translation>颜色 {number}</translation>
    </message>
    <message>
        <source>Next colour</source>
        <translation>下一种颜色</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Clear drawings</source>
        <translation>清除标注</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适合窗口</translation>
    </message>
    <message>
        <source>100%</source>
        <translation>100%</translation>
    </message>
    <message>
        <source>Previous</source>
        <translation>上一张</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一张</translation>
    </message>
    <message>
        <source>Delete photo</source>
        <translation>删除照片</translation>
    </message>
    <message>
        <source>Edit caption</source>
        <translation>编辑说明</translation>
    </message>
    <message>
        <source>No photos</source>
        <translation>没有照片</translation>
    </message>
    <message>
        <source>{number} of {count} · {name}</source>
        <translation>{number} / {count} · {name}</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>This photo cannot be shown: {error}</source>
        <translation>无法显示此照片：{error}</translation>
    </message>
    <message>
        <source>This photo is kept on the server; sync or log in to see it in full. Its thumbnail is shown.</source>
        <translation>此照片保存在服务器上；请同步或登录后查看原图。现显示其缩略图。</translation>
    </message>
    <message>
        <source>{percent}%</source>
        <translation>{percent}%</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>已保存</translation>
    </message>
    <message>
        <source>Not saved: {error}</source>
        <translation>未保存：{error}</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Photo “{name}” deleted.</source>
        <translation>照片“{name}”已删除。</translation>
    </message>
    <message>
        <source>Restore it (Ctrl+Z)</source>
        <translation>恢复（Ctrl+Z）</translation>
    </message>
</context>
<context>
    <name>PointsEditorWidget</name>
    <message>
        <source> pts</source>
        <translation> 分</translation>
    </message>
    <message>
        <source>{lo} to {hi} points, in steps of {step}</source>
        <translation>{lo}–{hi} 分，步长 {step}</translation>
    </message>
</context>
<context>
    <name>PrintFlow</name>
    <message>
        <source>Drawing page {n} of {total}…</source>
        <translation>正在绘制第 {n} 页，共 {total} 页…</translation>
    </message>
    <message>
        <source>Asking the print service for its printers…</source>
        <translation>正在向打印服务查询打印机…</translation>
    </message>
    <message>
        <source>Finding printers</source>
        <translation>查找打印机</translation>
    </message>
    <message>
        <source>Nothing was printed.</source>
        <translation>未打印任何内容。</translation>
    </message>
    <message>
        <source>Sending the document to {queue}…</source>
        <translation>正在将文档发送到 {queue}…</translation>
    </message>
    <message>
        <source>Printing</source>
        <translation>打印</translation>
    </message>
    <message>
        <source>Following the print job</source>
        <translation>跟踪打印作业</translation>
    </message>
    <message>
        <source>Fieldmark stops following it here; the system&apos;s print queue shows the rest.</source>
        <translation>Fieldmark 到此不再跟踪；后续情况请查看系统的打印队列。</translation>
    </message>
    <message>
        <source>The print service took job {job} but no longer answers about it: {error}</source>
        <translation>打印服务已接收作业 {job}，但现在无法查询其状态：{error}</translation>
    </message>
    <message numerus="yes">
        <source>The system&apos;s print queue took %n page(s) for {printer}; it prints them from there.</source>
        <translation>
            <numerusform>系统打印队列已接收 %n 页，将由 {printer} 打印。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PrintJobDialog</name>
    <message>
        <source>Print</source>
        <translation>打印</translation>
    </message>
    <message>
        <source>{printer} — default</source>
        <translation>{printer}（默认）</translation>
    </message>
    <message numerus="yes">
        <source>all %n page(s)</source>
        <translation>
            <numerusform>全部 %n 页</numerusform>
        </translation>
    </message>
    <message>
        <source>For example 1-2, 4</source>
        <translation>例如 1-2, 4</translation>
    </message>
    <message>
        <source>One-sided</source>
        <translation>单面</translation>
    </message>
    <message>
        <source>Two-sided, flip on long edge</source>
        <translation>双面，长边翻页</translation>
    </message>
    <message>
        <source>Two-sided, flip on short edge</source>
        <translation>双面，短边翻页</translation>
    </message>
    <message>
        <source>{paper}, as the document (true size)</source>
        <translation>{paper}，与文档相同（原大）</translation>
    </message>
    <message>
        <source>{paper} (pages scaled to fit)</source>
        <translation>{paper}（页面缩放以适应纸张）</translation>
    </message>
    <message>
        <source>Printer</source>
        <translation>打印机</translation>
    </message>
    <message>
        <source>Copies</source>
        <translation>份数</translation>
    </message>
    <message>
        <source>Pages</source>
        <translation>页码</translation>
    </message>
    <message>
        <source>Sides</source>
        <translation>单双面</translation>
    </message>
    <message>
        <source>Paper</source>
        <translation>纸张</translation>
    </message>
    <message>
        <source>Pages must be numbers from 1 to {last}, such as 1-2, 4.</source>
        <translation>页码须为 1 到 {last} 之间的数字，例如 1-2, 4。</translation>
    </message>
</context>
<context>
    <name>PrintPreviewDialog</name>
    <message>
        <source>Print preview</source>
        <translation>打印预览</translation>
    </message>
    <message>
        <source>On-site feedback sheet</source>
        <translation>现场反馈意见书</translation>
    </message>
    <message>
        <source>Rectification notice</source>
        <translation>整改通知书</translation>
    </message>
    <message>
        <source>Full inspection report</source>
        <translation>督导报告</translation>
    </message>
    <message>
        <source>Chinese</source>
        <translation>中文</translation>
    </message>
    <message>
        <source>English</source>
        <translation>英文</translation>
    </message>
    <message>
        <source>Paper as in settings</source>
        <translation>使用设置中的纸张</translation>
    </message>
    <message>
        <source>A4</source>
        <translation>A4</translation>
    </message>
    <message>
        <source>Letter</source>
        <translation>Letter（美式信纸）</translation>
    </message>
    <message>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <source>Save as PDF…</source>
        <translation>另存为 PDF…</translation>
    </message>
    <message>
        <source>Copy to USB drive…</source>
        <translation>复制到 U 盘…</translation>
    </message>
    <message>
        <source>Open in viewer</source>
        <translation>在查看器中打开</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>文档</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Paper</source>
        <translation>纸张</translation>
    </message>
    <message>
        <source>Preparing the document…</source>
        <translation>正在生成文档…</translation>
    </message>
    <message>
        <source>Preparing the document</source>
        <translation>正在生成文档</translation>
    </message>
    <message>
        <source>the PDF could not be loaded</source>
        <translation>无法加载 PDF</translation>
    </message>
    <message numerus="yes">
        <source>%n page(s)</source>
        <translation>
            <numerusform>共 %n 页</numerusform>
        </translation>
    </message>
    <message>
        <source>Warnings: {warnings}</source>
        <translation>警告：{warnings}</translation>
    </message>
    <message>
        <source>The document could not be made: {error}</source>
        <translation>无法生成文档：{error}</translation>
    </message>
    <message>
        <source>Save as PDF</source>
        <translation>另存为 PDF</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Saving the PDF</source>
        <translation>正在保存 PDF</translation>
    </message>
    <message>
        <source>Saved to {path}</source>
        <translation>已保存到 {path}</translation>
    </message>
    <message>
        <source>The PDF could not be saved: {error}</source>
        <translation>无法保存 PDF：{error}</translation>
    </message>
    <message>
        <source>Nothing was written there. Free some space or choose another folder, and save again.</source>
        <translation>那里没有写入任何内容。请释放一些磁盘空间或另选文件夹，然后重新保存。</translation>
    </message>
    <message>
        <source>Looking for USB drives</source>
        <translation>查找 U 盘</translation>
    </message>
    <message>
        <source>No USB drive is plugged in. Plug one in and try again, or save the PDF.</source>
        <translation>未插入 U 盘。请插入后重试，或另存为 PDF。</translation>
    </message>
    <message>
        <source>{drive} ({free:.1f} GB free)</source>
        <translation>{drive}（可用 {free:.1f} GB）</translation>
    </message>
    <message>
        <source>Copying to the USB drive</source>
        <translation>正在复制到 U 盘</translation>
    </message>
    <message>
        <source>Copied to {path}. Eject the drive before pulling it out.</source>
        <translation>已复制到 {path}。拔出前请先安全弹出 U 盘。</translation>
    </message>
    <message>
        <source>The PDF could not be copied to the USB drive: {error}</source>
        <translation>无法将 PDF 复制到 U 盘：{error}</translation>
    </message>
</context>
<context>
    <name>PrintWords</name>
    <message>
        <source>The queue {queue} is rejecting jobs.</source>
        <translation>打印队列 {queue} 正在拒绝作业。</translation>
    </message>
    <message>
        <source>The queue {queue} is stopped.</source>
        <translation>打印队列 {queue} 已停止。</translation>
    </message>
    <message>
        <source>The printer {queue} is offline.</source>
        <translation>打印机 {queue} 处于脱机状态。</translation>
    </message>
    <message>
        <source>The print service is still trying to reach the printer {queue}.</source>
        <translation>打印服务仍在尝试连接打印机 {queue}。</translation>
    </message>
    <message>
        <source>The printer {queue} is out of paper.</source>
        <translation>打印机 {queue} 缺纸。</translation>
    </message>
    <message>
        <source>Paper is jammed in the printer {queue}.</source>
        <translation>打印机 {queue} 卡纸。</translation>
    </message>
    <message>
        <source>A cover of the printer {queue} is open.</source>
        <translation>打印机 {queue} 的盖板未关好。</translation>
    </message>
    <message>
        <source>The printer {queue} is out of toner or ink.</source>
        <translation>打印机 {queue} 的墨粉或墨水已用完。</translation>
    </message>
    <message>
        <source>The printer {queue} reports an error ({reason}).</source>
        <translation>打印机 {queue} 报告错误（{reason}）。</translation>
    </message>
    <message>
        <source>Job {job} is with the print service, waiting its turn on {queue}.</source>
        <translation>作业 {job} 已由打印服务接收，正在 {queue} 上排队等候。</translation>
    </message>
    <message>
        <source>Job {job} is held on {queue}: release it in the system&apos;s print queue.</source>
        <translation>作业 {job} 在 {queue} 上被挂起：请在系统打印队列中释放它。</translation>
    </message>
    <message>
        <source>Job {job} is printing on {queue}.</source>
        <translation>作业 {job} 正在 {queue} 上打印。</translation>
    </message>
    <message>
        <source>Job {job} has stopped on {queue}.</source>
        <translation>作业 {job} 在 {queue} 上已停止。</translation>
    </message>
    <message>
        <source>Job {job} is done: the print service has sent every page to {queue}.</source>
        <translation>作业 {job} 已完成：打印服务已将全部页面发送到 {queue}。</translation>
    </message>
    <message>
        <source>Job {job} was cancelled; nothing more of it will print.</source>
        <translation>作业 {job} 已取消，其余部分不会再打印。</translation>
    </message>
    <message>
        <source>The print service gave up on job {job}: {reason}</source>
        <translation>打印服务已放弃作业 {job}：{reason}</translation>
    </message>
    <message>
        <source>It prints once that is put right.</source>
        <translation>问题解决后即会打印。</translation>
    </message>
    <message>
        <source>Nothing was printed. Save the PDF or copy it to a USB drive instead.</source>
        <translation>未打印任何内容。请改为另存为 PDF，或复制到 U 盘。</translation>
    </message>
    <message>
        <source>{queue} refused the job: the queue is rejecting jobs.</source>
        <translation>{queue} 拒绝了该作业：该打印队列正在拒绝作业。</translation>
    </message>
    <message>
        <source>The print service has no printer named {queue}.</source>
        <translation>打印服务中没有名为 {queue} 的打印机。</translation>
    </message>
    <message>
        <source>The print service does not let you print to {queue}.</source>
        <translation>打印服务不允许您向 {queue} 打印。</translation>
    </message>
    <message>
        <source>The printer {queue} cannot take PDF documents.</source>
        <translation>打印机 {queue} 无法接收 PDF 文档。</translation>
    </message>
    <message>
        <source>The print service ended the job without printing it: {error}</source>
        <translation>打印服务未打印即结束了该作业：{error}</translation>
    </message>
    <message>
        <source>{queue} refused the job: {error}</source>
        <translation>{queue} 拒绝了该作业：{error}</translation>
    </message>
    <message>
        <source>The print service does not answer: no printer can be used from this computer now.</source>
        <translation>打印服务没有响应：此电脑当前无法使用任何打印机。</translation>
    </message>
    <message>
        <source>The print service gave an answer Fieldmark cannot use: {error}</source>
        <translation>打印服务的应答无法识别：{error}</translation>
    </message>
    <message>
        <source>Printing failed: {error}</source>
        <translation>打印失败：{error}</translation>
    </message>
    <message>
        <source>No printer is set up on this computer. Save the PDF or copy it to a USB drive instead.</source>
        <translation>此电脑未设置打印机。请改为另存为 PDF，或复制到 U 盘。</translation>
    </message>
</context>
<context>
    <name>QtPagePrinter</name>
    <message>
        <source>The printer could not be started.</source>
        <translation>无法启动打印机。</translation>
    </message>
    <message>
        <source>The system&apos;s print queue did not take the pages.</source>
        <translation>系统打印队列未接收这些页面。</translation>
    </message>
</context>
<context>
    <name>RubricPreviewWidget</name>
    <message>
        <source>answered {value}</source>
        <translation>答案为 {value}</translation>
    </message>
    <message>
        <source>target not met</source>
        <translation>未达目标</translation>
    </message>
    <message>
        <source>award below {value}</source>
        <translation>得分低于 {value}</translation>
    </message>
    <message>
        <source>Rubric details</source>
        <translation>评分细则详情</translation>
    </message>
    <message>
        <source>Rubric id</source>
        <translation>细则编号</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Content hash</source>
        <translation>内容哈希</translation>
    </message>
    <message>
        <source>Maximum</source>
        <translation>满分</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Grade bands, by percentage</source>
        <translation>等级划分（按得分率）</translation>
    </message>
    <message>
        <source>Grade bands, by total</source>
        <translation>等级划分（按总分）</translation>
    </message>
    <message>
        <source>otherwise</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>No grade bands.</source>
        <translation>未设等级。</translation>
    </message>
    <message>
        <source>Veto items</source>
        <translation>一票否决项</translation>
    </message>
    <message>
        <source>pass</source>
        <translation>合格</translation>
    </message>
    <message>
        <source>fail</source>
        <translation>不合格</translation>
    </message>
    <message>
        <source>the unit fails</source>
        <translation>该单位不得评为合格</translation>
    </message>
    <message>
        <source>grade capped at {band}</source>
        <translation>等级最高为“{band}”</translation>
    </message>
    <message>
        <source>None.</source>
        <translation>无。</translation>
    </message>
    <message>
        <source>Bonus items, at most {points} points</source>
        <translation>加分项（最多加 {points} 分）</translation>
    </message>
    <message>
        <source>Bonus items</source>
        <translation>加分项</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Cap</source>
        <translation>上限</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>指标数</translation>
    </message>
    <message>
        <source>Sub-sections</source>
        <translation>子项目</translation>
    </message>
    <message>
        <source>Guidance</source>
        <translation>评估方法</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Range</source>
        <translation>分值范围</translation>
    </message>
    <message>
        <source>{low} to {high}, in steps of {step}</source>
        <translation>{low}–{high}，步长 {step}</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>Evidence</source>
        <translation>评估方式</translation>
    </message>
    <message>
        <source>required</source>
        <translation>必评</translation>
    </message>
    <message>
        <source>N/A allowed</source>
        <translation>可选不适用</translation>
    </message>
    <message>
        <source>photo required</source>
        <translation>须附照片</translation>
    </message>
    <message>
        <source>reason needed below the maximum</source>
        <translation>扣分须注明原因</translation>
    </message>
    <message>
        <source>bonus</source>
        <translation>加分</translation>
    </message>
    <message>
        <source>Rules</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>Applies when</source>
        <translation>适用条件</translation>
    </message>
    <message>
        <source>Levels</source>
        <translation>等级</translation>
    </message>
    <message>
        <source> (at most {count} times)</source>
        <translation>（最多 {count} 次）</translation>
    </message>
    <message>
        <source>Deductions</source>
        <translation>扣分项</translation>
    </message>
    <message>
        <source>Numerator</source>
        <translation>分子</translation>
    </message>
    <message>
        <source>Denominator</source>
        <translation>分母</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标值</translation>
    </message>
    <message>
        <source>Indicator</source>
        <translation>指标</translation>
    </message>
</context>
<context>
    <name>RubricsPage</name>
    <message>
        <source>Rubric</source>
        <translation>评分细则</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Stored rubrics</source>
        <translation>已存评分细则</translation>
    </message>
    <message>
        <source>Section / item</source>
        <translation>评估项目 / 指标</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>满分</translation>
    </message>
    <message>
        <source>Sections and items</source>
        <translation>评估项目与指标</translation>
    </message>
    <message numerus="yes">
        <source>%n rubric version(s)</source>
        <translation>
            <numerusform>共 %n 个细则版本</numerusform>
        </translation>
    </message>
    <message>
        <source>Bonus</source>
        <translation>加分</translation>
    </message>
    <message>
        <source>&amp;Print self-assessment form…</source>
        <translation>打印自评表(&amp;P)…</translation>
    </message>
    <message>
        <source>Save the selected rubric as a PDF form that a unit fills in by hand to assess itself</source>
        <translation>将所选评分细则保存为 PDF 自评表，供受检单位手工填写自评</translation>
    </message>
    <message>
        <source>In Chinese…</source>
        <translation>中文版…</translation>
    </message>
    <message>
        <source>In English…</source>
        <translation>英文版…</translation>
    </message>
    <message>
        <source>self-assessment</source>
        <translation>自评表</translation>
    </message>
    <message>
        <source>Print self-assessment form</source>
        <translation>打印自评表</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Writing the self-assessment form…</source>
        <translation>正在生成自评表…</translation>
    </message>
    <message>
        <source>Writing the self-assessment form</source>
        <translation>正在生成自评表</translation>
    </message>
    <message numerus="yes">
        <source>Self-assessment form written to {path} (%n page(s)).</source>
        <translation>
            <numerusform>自评表已保存到 {path}（共 %n 页）。</numerusform>
        </translation>
    </message>
    <message>
        <source>The self-assessment form could not be written: {error}</source>
        <translation>自评表未能保存：{error}</translation>
    </message>
</context>
<context>
    <name>ScorePanelWidget</name>
    <message>
        <source>{awarded} / {maximum}</source>
        <translation>{awarded} / {maximum}</translation>
    </message>
    <message>
        <source>{percent}%</source>
        <translation>{percent}%</translation>
    </message>
    <message>
        <source>bonus +{bonus}</source>
        <translation>加分 +{bonus}</translation>
    </message>
    <message>
        <source>normalised {total}</source>
        <translation>折算 {total}</translation>
    </message>
    <message>
        <source>Grade: {band}</source>
        <translation>等级：{band}</translation>
    </message>
    <message>
        <source>Grade: —</source>
        <translation>等级：—</translation>
    </message>
    <message>
        <source>Grade: — (nothing answered yet)</source>
        <translation>等级：—（尚未评分）</translation>
    </message>
    <message>
        <source>Veto: {reason}</source>
        <translation>一票否决：{reason}</translation>
    </message>
    <message numerus="yes">
        <source>%n gap(s) to close</source>
        <translation>
            <numerusform>尚有 %n 处待补</numerusform>
        </translation>
    </message>
    <message>
        <source>No gaps</source>
        <translation>无待补项</translation>
    </message>
</context>
<context>
    <name>ScoreTrendWidget</name>
    <message>
        <source>Score trend</source>
        <translation>得分趋势</translation>
    </message>
    <message>
        <source>No scored visits yet</source>
        <translation>暂无已评分的督导</translation>
    </message>
</context>
<context>
    <name>SectionTreeModel</name>
    <message>
        <source>Bonus points</source>
        <translation>加分</translation>
    </message>
    <message>
        <source>Section / item</source>
        <translation>评估项目 / 指标</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>已评</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <source>✓  answered</source>
        <translation>✓  已评</translation>
    </message>
    <message>
        <source>!  something is missing: a reason or a photo</source>
        <translation>!  有缺项：扣分理由或照片</translation>
    </message>
    <message>
        <source>(blank)  not answered yet</source>
        <translation>（空白）  尚未评分</translation>
    </message>
    <message>
        <source>{na}  not applicable</source>
        <translation>{na}  不适用，不计入满分</translation>
    </message>
    <message>
        <source>3/5  items answered in a section</source>
        <translation>3/5  本部分已评指标数 / 指标总数</translation>
    </message>
    <message numerus="yes">
        <source>%n of {total} item(s) answered</source>
        <translation>
            <numerusform>已评 %n 项，共 {total} 项</numerusform>
        </translation>
    </message>
    <message>
        <source>Not saved: the last change of this answer is not on disk yet</source>
        <translation>未保存：此项最近的修改尚未写入磁盘</translation>
    </message>
    <message>
        <source>Not applicable: left out of the maximum</source>
        <translation>不适用：不计入满分</translation>
    </message>
    <message>
        <source>Not answered yet, and a photo is required</source>
        <translation>尚未评分，且须附照片</translation>
    </message>
    <message>
        <source>Not answered yet</source>
        <translation>尚未评分</translation>
    </message>
    <message>
        <source>the reason for an award below the maximum</source>
        <translation>扣分理由</translation>
    </message>
    <message>
        <source>a required photo</source>
        <translation>必需的照片</translation>
    </message>
    <message>
        <source>Answered, but missing: {what}</source>
        <translation>已评，但缺少：{what}</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>已评</translation>
    </message>
    <message>
        <source>Not saved: {item}</source>
        <translation>未保存：{item}</translation>
    </message>
    <message>
        <source>unsaved</source>
        <translation>未存</translation>
    </message>
    <message>
        <source>N/A</source>
        <translation>不适用</translation>
    </message>
    <message>
        <source>veto</source>
        <translation>否决</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>A new language takes effect when Fieldmark is restarted.</source>
        <translation>更改语言后，需重启 Fieldmark 才能生效。</translation>
    </message>
    <message>
        <source>Larger text on screen; printed documents keep their size.</source>
        <translation>放大屏幕上的文字；打印文件的字号不变。</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <source>Allowed after an explicit confirmation</source>
        <translation>经明确确认后允许</translation>
    </message>
    <message>
        <source>Not allowed: close every gap first</source>
        <translation>不允许：须先补齐所有待补项</translation>
    </message>
    <message>
        <source>The office&apos;s server: Sync → Log in to the server… connects to it.</source>
        <translation>督导室的服务器：在“同步 → 登录服务器…”中连接。</translation>
    </message>
    <message>
        <source>Sync automatically when the network returns</source>
        <translation>网络恢复时自动同步</translation>
    </message>
    <message>
        <source>When the server can be reached again after it could not, Fieldmark syncs by itself (only once logged in; it never asks for the password on its own).</source>
        <translation>服务器从无法连接恢复为可以连接时，Fieldmark 会自动同步（仅在已登录时；它不会自行弹出密码询问）。</translation>
    </message>
    <message>
        <source>Keep them on this laptop</source>
        <translation>保留在本机</translation>
    </message>
    <message>
        <source>Remove the originals of finalized visits once the server holds them</source>
        <translation>服务器保存后删除已定稿督导的原照片</translation>
    </message>
    <message>
        <source>Thumbnails always stay; a removed original comes back from the server when you open or print it. Sync → Free up space… removes them once, now.</source>
        <translation>缩略图始终保留；已删除的原照片在打开或打印时从服务器取回。“同步 → 释放空间…”可立即删除一次。</translation>
    </message>
    <message>
        <source>A4</source>
        <translation>A4</translation>
    </message>
    <message>
        <source>Letter</source>
        <translation>Letter（美式信纸）</translation>
    </message>
    <message>
        <source>PNG or JPEG file</source>
        <translation>PNG 或 JPEG 文件</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>Store photos reduced to 2048 pixels (quality 85) instead of the originals</source>
        <translation>照片按长边 2048 像素（质量 85）缩小保存，不保留原图</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>数据文件夹</translation>
    </message>
    <message>
        <source>&amp;Open folder</source>
        <translation>打开文件夹(&amp;O)</translation>
    </message>
    <message>
        <source>Chosen with --data-dir or FIELDMARK_DATA_DIR. Back it up by copying the whole folder while Fieldmark is closed.</source>
        <translation>由 --data-dir 或 FIELDMARK_DATA_DIR 指定。备份时请先关闭 Fieldmark，再复制整个文件夹。</translation>
    </message>
    <message>
        <source>Inspector</source>
        <translation>检查人员</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>姓名(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Office</source>
        <translation>所属机构(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Text size</source>
        <translation>文字大小(&amp;T)</translation>
    </message>
    <message>
        <source>Work</source>
        <translation>工作</translation>
    </message>
    <message>
        <source>Default rectification &amp;deadline</source>
        <translation>默认整改期限(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Finalizing with gaps</source>
        <translation>有待补项时定稿(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Server URL</source>
        <translation>服务器地址(&amp;S)</translation>
    </message>
    <message>
        <source>Photos after s&amp;ync</source>
        <translation>同步后的照片(&amp;Y)</translation>
    </message>
    <message>
        <source>Printing and photos</source>
        <translation>打印与照片</translation>
    </message>
    <message>
        <source>&amp;Paper</source>
        <translation>纸张(&amp;P)</translation>
    </message>
    <message>
        <source>Office &amp;logo</source>
        <translation>单位标志(&amp;L)</translation>
    </message>
    <message>
        <source>Office logo</source>
        <translation>单位标志</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg)</source>
        <translation>图片 (*.png *.jpg *.jpeg)</translation>
    </message>
</context>
<context>
    <name>SidePanel</name>
    <message>
        <source>this laptop</source>
        <translation>本机</translation>
    </message>
    <message>
        <source>device {id}</source>
        <translation>设备 {id}</translation>
    </message>
    <message>
        <source>Changed by {who}
on {when}</source>
        <translation>由 {who} 修改
于 {when}</translation>
    </message>
    <message>
        <source>No field differs.</source>
        <translation>各项均无差异。</translation>
    </message>
</context>
<context>
    <name>SignatureDialog</name>
    <message>
        <source>Team leader&apos;s signature</source>
        <translation>组长签名</translation>
    </message>
    <message>
        <source>Unit head&apos;s signature</source>
        <translation>单位负责人签名</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>C&amp;lear</source>
        <translation>清除(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Type the name instead</source>
        <translation>改为输入姓名(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>姓名(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;Sign</source>
        <translation>签名(&amp;S)</translation>
    </message>
</context>
<context>
    <name>SignatureStatusWidget</name>
    <message>
        <source>Team leader</source>
        <translation>组长</translation>
    </message>
    <message>
        <source>Unit head</source>
        <translation>受检单位负责人</translation>
    </message>
    <message>
        <source>{role}: not signed yet</source>
        <translation>{role}：尚未签名</translation>
    </message>
    <message>
        <source>{role}: {name} signed an earlier version ({when}): sign again</source>
        <translation>{role}：{name} 签署的是修订前的版本（{when}），请重新签名</translation>
    </message>
    <message>
        <source>{role}: {name}, signed {when}</source>
        <translation>{role}：{name}，签于 {when}</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <source>Fieldmark cannot start</source>
        <translation>Fieldmark 无法启动</translation>
    </message>
    <message>
        <source>The data folder {folder} cannot be opened.</source>
        <translation>无法打开数据文件夹 {folder}。</translation>
    </message>
    <message>
        <source>Fieldmark is already running with this data folder. Switch to that window, or close it first and start Fieldmark again.</source>
        <translation>Fieldmark 已在使用此数据文件夹运行。请切换到该窗口，或先将其关闭，再重新启动 Fieldmark。</translation>
    </message>
    <message>
        <source>Check that the folder exists and can be written, or choose another one with --data-dir.</source>
        <translation>请检查该文件夹是否存在且可写入，或使用 --data-dir 指定其他文件夹。</translation>
    </message>
</context>
<context>
    <name>SyncStatusWidget</name>
    <message>
        <source>Log in…</source>
        <translation>登录…</translation>
    </message>
    <message>
        <source>Review the conflicts: choose which version to keep</source>
        <translation>处理冲突：选择要保留的版本</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <source>Send your work to the server and receive the team&apos;s (Ctrl+Shift+S)</source>
        <translation>把您的工作发送到服务器，并接收本组的工作（Ctrl+Shift+S）</translation>
    </message>
    <message numerus="yes">
        <source>Not synced: %n change(s)</source>
        <translation>
            <numerusform>未同步：%n 项更改</numerusform>
        </translation>
    </message>
    <message>
        <source>Synced automatically at {time}</source>
        <translation>已于 {time} 自动同步</translation>
    </message>
    <message>
        <source>Last sync: {date}</source>
        <translation>上次同步：{date}</translation>
    </message>
    <message>
        <source>The server&apos;s receipt no. {seq}, {date}</source>
        <translation>服务器回执第 {seq} 号，{date}</translation>
    </message>
    <message>
        <source>Last sync: never</source>
        <translation>上次同步：从未同步</translation>
    </message>
    <message numerus="yes">
        <source>%n conflict(s) to review</source>
        <translation>
            <numerusform>%n 处冲突待处理</numerusform>
        </translation>
    </message>
    <message>
        <source>Fieldmark {version} is available: &lt;a href=&quot;{url}&quot;&gt;download&lt;/a&gt;</source>
        <translation>Fieldmark {version} 已发布：&lt;a href=&quot;{url}&quot;&gt;下载&lt;/a&gt;</translation>
    </message>
    <message>
        <source>From the office: {url}</source>
        <translation>督导办下载地址：{url}</translation>
    </message>
    <message>
        <source>Install it when no visit is under way: Fieldmark never updates itself, and your work stays in the data folder.</source>
        <translation>请在没有进行中的检查时安装：Fieldmark 从不自行更新，您的工作保留在数据文件夹中。</translation>
    </message>
    <message>
        <source>Log in to sync automatically.</source>
        <translation>登录后即可自动同步。</translation>
    </message>
    <message>
        <source>Offline: the server cannot be reached. Fieldmark syncs by itself when it can.</source>
        <translation>离线：无法连接服务器。连接恢复后 Fieldmark 会自动同步。</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <source>Syncing automatically…</source>
        <translation>正在自动同步…</translation>
    </message>
    <message>
        <source>Stopping at a safe point…</source>
        <translation>正在安全停止…</translation>
    </message>
</context>
<context>
    <name>SyncWords</name>
    <message>
        <source>Offline: the server cannot be reached. Your work is kept; sync again later.</source>
        <translation>离线：无法连接服务器。您的工作已保留，请稍后再同步。</translation>
    </message>
    <message>
        <source>Not logged in, or the login expired: log in again. Nothing is lost.</source>
        <translation>未登录或登录已过期：请重新登录。没有任何内容丢失。</translation>
    </message>
    <message>
        <source>%n conflict(s) wait for your choice; both versions are kept.</source>
        <translation>%n 处冲突等待您选择；两个版本都已保留。</translation>
    </message>
    <message>
        <source>The server and this Fieldmark do not speak the same version: please update Fieldmark.</source>
        <translation>服务器与本机 Fieldmark 的协议版本不一致：请更新 Fieldmark。</translation>
    </message>
    <message>
        <source>The server had an error and did not finish; try again later.</source>
        <translation>服务器出错，未能完成；请稍后再试。</translation>
    </message>
    <message>
        <source>The server did not accept everything; point at this line for its reasons.</source>
        <translation>服务器未接收全部内容；将鼠标指向此行可查看原因。</translation>
    </message>
    <message>
        <source>This laptop&apos;s disk is full: free some space and sync again. Nothing is lost.</source>
        <translation>本机磁盘已满：请清理空间后再次同步。数据没有丢失。</translation>
    </message>
    <message>
        <source>Sync cancelled. What was sent is kept; the next sync carries on.</source>
        <translation>同步已取消。已发送的内容已保留，下次同步会继续。</translation>
    </message>
    <message>
        <source>Sync did not finish.</source>
        <translation>同步未完成。</translation>
    </message>
    <message>
        <source>{n} MB</source>
        <translation>{n} MB</translation>
    </message>
    <message>
        <source>{n} KB</source>
        <translation>{n} KB</translation>
    </message>
    <message>
        <source>{n} bytes</source>
        <translation>{n} 字节</translation>
    </message>
    <message>
        <source>Registering this laptop…</source>
        <translation>正在登记本机…</translation>
    </message>
    <message>
        <source>Sending photos {done} of {total} ({sent} of {size})</source>
        <translation>正在发送照片 {done}/{total}（{sent}/{size}）</translation>
    </message>
    <message>
        <source>Sending changes…</source>
        <translation>正在发送修改…</translation>
    </message>
    <message>
        <source>Sending %n change(s)…</source>
        <translation>正在发送 %n 项修改…</translation>
    </message>
    <message>
        <source>Receiving the team&apos;s work: %n item(s)…</source>
        <translation>正在接收本组的工作：%n 项…</translation>
    </message>
    <message>
        <source>Receiving photos {done} of {total} ({size})</source>
        <translation>正在接收照片 {done}/{total}（{size}）</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <source>Sent %n change(s)</source>
        <translation>已发送 %n 项修改</translation>
    </message>
    <message>
        <source>%n photo(s)</source>
        <translation>%n 张照片</translation>
    </message>
    <message>
        <source>received %n item(s)</source>
        <translation>已接收 %n 项</translation>
    </message>
    <message>
        <source>The server said: {message}</source>
        <translation>服务器答复：{message}</translation>
    </message>
    <message>
        <source>Not stored here: {what}</source>
        <translation>未能保存在本机：{what}</translation>
    </message>
    <message>
        <source>%n photo(s) of the team could not be fetched; the next sync tries again.</source>
        <translation>本组有 %n 张照片未能获取；下次同步会再试。</translation>
    </message>
    <message>
        <source>%n amended visit(s) cannot be sent: the version they replace was never synced.</source>
        <translation>%n 次修订的督导无法发送：其所取代的版本从未同步。</translation>
    </message>
    <message>
        <source>%n row(s) of the office&apos;s lists made here stay on this laptop.</source>
        <translation>在本机新建的 %n 条办公室名录记录只保留在本机。</translation>
    </message>
    <message>
        <source>Freed {size}: %n photo original(s) are kept on the server only; thumbnails stay.</source>
        <translation>已释放 {size}：%n 张照片原图只保存在服务器上；缩略图仍保留在本机。</translation>
    </message>
</context>
<context>
    <name>TodayPage</name>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Visit type</source>
        <translation>督导类型</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>时间范围</translation>
    </message>
    <message>
        <source>Campaign</source>
        <translation>工作计划</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Assignments</source>
        <translation>督导任务</translation>
    </message>
    <message>
        <source>&amp;Start visit</source>
        <translation>开始督导(&amp;S)</translation>
    </message>
    <message>
        <source>New visit without assignment…</source>
        <translation>无任务新建督导…</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Team</source>
        <translation>督导组</translation>
    </message>
    <message>
        <source>Visits in progress</source>
        <translation>进行中的督导</translation>
    </message>
    <message>
        <source>&amp;Open visit</source>
        <translation>打开督导(&amp;O)</translation>
    </message>
    <message numerus="yes">
        <source>%n assignment(s) due today</source>
        <translation>
            <numerusform>今日待办任务 %n 项</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n visit(s) in progress</source>
        <translation>
            <numerusform>进行中的督导 %n 项</numerusform>
        </translation>
    </message>
    <message>
        <source>Not started</source>
        <translation>未开始</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>{start} – {end}</source>
        <translation>{start} 至 {end}</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>&amp;Continue visit</source>
        <translation>继续督导(&amp;C)</translation>
    </message>
</context>
<context>
    <name>UnitDetailWidget</name>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Visit type</source>
        <translation>督导类型</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <source>Grade</source>
        <translation>等级</translation>
    </message>
    <message>
        <source>Visit history</source>
        <translation>督导记录</translation>
    </message>
    <message>
        <source>Finding</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>性质</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>整改期限</translation>
    </message>
    <message>
        <source>Responsible</source>
        <translation>责任人</translation>
    </message>
    <message>
        <source>Open rectifications</source>
        <translation>未销号整改</translation>
    </message>
    <message>
        <source>Show &amp;all visits of this unit</source>
        <translation>显示该单位的全部督导(&amp;A)</translation>
    </message>
    <message>
        <source>Choose a unit in the tree.</source>
        <translation>请在行政区划树中选择单位。</translation>
    </message>
    <message>
        <source>Profile</source>
        <translation>基本情况</translation>
    </message>
    <message>
        <source>Score trend</source>
        <translation>得分趋势</translation>
    </message>
    <message>
        <source>Head: {name}</source>
        <translation>负责人：{name}</translation>
    </message>
    <message>
        <source>No profile numbers recorded.</source>
        <translation>尚未记录基本数据。</translation>
    </message>
    <message>
        <source>No open rectifications.</source>
        <translation>暂无未销号的整改。</translation>
    </message>
</context>
<context>
    <name>UnitsPage</name>
    <message>
        <source>Filter by unit name or code</source>
        <translation>按单位名称或代码筛选</translation>
    </message>
    <message>
        <source>Administrative areas and units</source>
        <translation>行政区划与单位</translation>
    </message>
</context>
<context>
    <name>VisitTableModel</name>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Visit type</source>
        <translation>督导类型</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Starts</source>
        <translation>开始日期</translation>
    </message>
    <message>
        <source>Ends</source>
        <translation>结束日期</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>总分</translation>
    </message>
    <message>
        <source>Grade</source>
        <translation>等级</translation>
    </message>
    <message>
        <source>Nothing answered yet</source>
        <translation>尚未评分</translation>
    </message>
    <message>
        <source>{awarded} / {maximum}</source>
        <translation>{awarded} / {maximum}</translation>
    </message>
    <message numerus="yes">
        <source>The first of %n rubrics</source>
        <translation>
            <numerusform>共 %n 套评分细则，此为第一套</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>VisitsPage</name>
    <message>
        <source>Search unit name or code</source>
        <translation>搜索单位名称或代码</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>All visit types</source>
        <translation>全部督导类型</translation>
    </message>
    <message>
        <source>All campaigns</source>
        <translation>全部工作计划</translation>
    </message>
    <message>
        <source>Any start</source>
        <translation>不限开始日期</translation>
    </message>
    <message>
        <source>Any end</source>
        <translation>不限结束日期</translation>
    </message>
    <message>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <source>To</source>
        <translation>至</translation>
    </message>
    <message>
        <source>C&amp;lear filters</source>
        <translation>清除筛选(&amp;L)</translation>
    </message>
    <message>
        <source>Remove the unit filter</source>
        <translation>取消单位筛选</translation>
    </message>
    <message>
        <source>Unit: {unit}  ✕</source>
        <translation>单位：{unit}  ✕</translation>
    </message>
    <message numerus="yes">
        <source>%n visit(s) shown; scroll for more</source>
        <translation>
            <numerusform>已显示 %n 次督导，滚动可查看更多</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n visit(s)</source>
        <translation>
            <numerusform>共 %n 次督导</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <source>Welcome to Fieldmark</source>
        <translation>欢迎使用 Fieldmark</translation>
    </message>
    <message>
        <source>This laptop has no units, rubrics or visits yet. How do you want to start?</source>
        <translation>这台电脑上还没有单位、评分细则或督导记录。您想怎样开始？</translation>
    </message>
    <message>
        <source>&amp;Connect to the office&apos;s server</source>
        <translation>连接督导室的服务器(&amp;C)</translation>
    </message>
    <message>
        <source>Log in with the server address and the login name the office gave you; your units, rubrics and assignments then come with the first sync.</source>
        <translation>用督导室提供的服务器地址和登录名登录；首次同步后，单位、评分细则和督导任务随之下载。</translation>
    </message>
    <message>
        <source>&amp;Try the demo data</source>
        <translation>试用演示数据(&amp;T)</translation>
    </message>
    <message>
        <source>Fill this profile with a made-up county&apos;s schools, rubrics and visits to look around. Use a separate data folder for real work.</source>
        <translation>用一个虚构县的学校、评分细则和督导记录填充此数据文件夹，供熟悉软件。正式工作请使用另一个数据文件夹。</translation>
    </message>
    <message>
        <source>&amp;Import a bundle</source>
        <translation>导入离线包(&amp;I)</translation>
    </message>
    <message>
        <source>Open a .fmbundle file a team-mate or the office gave you, when there is no network.</source>
        <translation>没有网络时，打开同事或督导室交给您的 .fmbundle 文件。</translation>
    </message>
</context>
</TS>
