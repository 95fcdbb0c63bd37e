"""PDF speed and size: the feedback sheet of a 100-item visit with 24 photos of 12 megapixels,
and the full report of a 300-item visit with 60 photos.

The photos are generated once into ``bench/out/photos`` (4000 x 3000 JPEGs with texture, ~3 MB
each, like a phone's). "warm" is a document printed again, with the photo renditions already
cached in the profile's ``pdfcache/`` (the usual case: the inspector previews, then prints);
"cold" is the first print after importing, when every photo is decoded and scaled.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Figure, print_table  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "photos"
MEGAPIXEL_SIZE = (4000, 3000)


def generate_photos(n: int) -> list[Path]:
    """``n`` distinct 12-megapixel JPEGs, made once and reused by later runs."""
    from PIL import Image, ImageDraw

    OUT.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = OUT / f"photo-{i:03d}.jpg"
        paths.append(path)
        if path.is_file():
            continue
        w, h = MEGAPIXEL_SIZE
        # Coarse noise scaled up gives soft shapes; fine noise on top gives a camera's grain.
        base = Image.merge("RGB", [Image.effect_noise((w // 40, h // 40), 60 + 10 * c).resize((w, h), Image.Resampling.BICUBIC)
                                   for c in range(3)])
        grain = Image.effect_noise((w, h), 12).convert("RGB")
        img = Image.blend(base, grain, 0.25)
        draw = ImageDraw.Draw(img)
        for k in range(12):
            x, y = (i * 997 + k * 331) % w, (i * 613 + k * 211) % h
            draw.rectangle((x, y, x + 400, y + 250), outline=(200, 40 + k * 15, 40), width=12)
        img.save(path, format="JPEG", quality=88)
    return paths


def _rubric(items: int, sections: int = 10) -> dict[str, Any]:
    per = items // sections
    return {
        "format": "fieldmark.rubric/1", "id": f"bench-{items}", "version": "1",
        "name": {"zh": f"基准评分表（{items}项）", "en": f"Benchmark checklist ({items} items)"},
        "bands_basis": "percent",
        "bands": [{"code": "good", "label": {"zh": "优秀", "en": "Excellent"}, "min": 90, "min_inclusive": True},
                  {"code": "pass", "label": {"zh": "合格", "en": "Qualified"}, "min": 60, "min_inclusive": True},
                  {"code": "fail", "label": {"zh": "不合格", "en": "Not qualified"}}],
        "sections": [
            {"code": f"S{s}", "name": {"zh": f"第{s + 1}部分 办学条件与管理", "en": f"Part {s + 1}"}, "items": [
                {"code": f"S{s}.{i}", "kind": "points", "max": 4, "step": 0.5,
                 "text": {"zh": f"第{s + 1}部分第{i + 1}项：制度健全，台账规范，落实到位。", "en": f"Part {s + 1} item {i + 1}"}}
                for i in range(per)]}
            for s in range(sections)
        ],
    }


def build_visit(root: Path, items: int, photos: list[Path]) -> tuple[Any, str]:
    """A profile with one visit: every item answered, findings, practices and the photos."""
    from app.evidence import import_files
    from app.findings import add_finding, add_good_practice
    from app.ids import new_id
    from app.profile import Profile
    from app.reports import save_layout
    from app.rubric_store import import_document
    from app.visits import NewVisit, answer_item, create_visit
    from db import rows

    profile = Profile.open(root)

    def insert(table: str, **row: Any) -> str:
        row.setdefault("id", new_id())
        with profile.transaction() as tx:
            rows.insert(tx.db, table, row, tx.meta)
        return str(row["id"])

    area = insert("admin_areas", parent_id=None, level="county", code="420381", name="丹江口市")
    unit = insert("units", area_id=area, code="DJK001", name="均州路中心小学", unit_type="primary", profile="{}")
    ref, _ = import_document(profile, _rubric(items))
    vid = create_visit(profile, NewVisit(unit_id=unit, visit_type="routine", starts_on="2026-11-24",
                                         rubric_hashes=[ref.hash])).id
    for s in range(10):
        for i in range(items // 10):
            answer_item(profile, vid, rubric_hash=ref.hash, item_code=f"S{s}.{i}", value=4 if i % 7 else 3,
                        evidence_methods=["documents", "site"], note="现场查看，资料齐全。",
                        reason="" if i % 7 else "个别台账缺页。")
    for k in range(6):
        add_finding(profile, vid, description=f"第{k + 1}项问题：部分台账记录不完整，缺少负责人签字。",
                    requirement="限期补齐台账，建立复核制度。", deadline="2026-12-24", responsible="教务处主任",
                    severity="major" if k == 0 else "general")
    add_good_practice(profile, vid, "建立家校共育微信群，每周推送安全提示。")
    import_files(profile, [str(p) for p in photos], visit_id=vid)
    # Every photo on the sheet: the worst case for the feedback sheet.
    save_layout(profile, {"feedback_photos": len(photos)})
    return profile, vid


def _clear_cache(root: Path) -> None:
    import shutil

    shutil.rmtree(root / "pdfcache", ignore_errors=True)


def _timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def run() -> list[Figure]:
    from app.reports import build_report
    from app.reports.fonts import register_fonts

    register_fonts()  # once per process, ~0.3 s: the desktop and the CLI pay it once
    photos = generate_photos(60)
    figures = []
    with tempfile.TemporaryDirectory(prefix="fieldmark-bench-report-") as tmp:
        root = Path(tmp) / "feedback"
        profile, vid = build_visit(root, 100, photos[:24])
        _clear_cache(root)
        cold, built = _timed(lambda: build_report(profile, vid, kind="feedback"))
        warm = min(_timed(lambda: build_report(profile, vid, kind="feedback"))[0] for _ in range(3))
        size = len(built.pdf) / 1e6
        profile.close()
        figures += [
            Figure("report: feedback sheet, 100 items, 24 x 12 MP photos (warm)", warm, "s", 1.0),
            Figure("report: feedback sheet, same, first print (cold cache)", cold, "s", 1.0),
            Figure(f"report: feedback sheet size ({built.pages} pages)", size, "MB", 3.0),
        ]
        root = Path(tmp) / "full"
        profile, vid = build_visit(root, 300, photos)
        _clear_cache(root)
        cold, built = _timed(lambda: build_report(profile, vid, kind="full"))
        warm = min(_timed(lambda: build_report(profile, vid, kind="full"))[0] for _ in range(2))
        profile.close()
        figures += [
            Figure(f"report: full report, 300 items, 60 x 12 MP photos (warm, {built.pages} pages)", warm, "s", 5.0),
            Figure("report: full report, same, first print (cold cache)", cold, "s", 5.0),
            Figure("report: full report size", len(built.pdf) / 1e6, "MB", 10.0),
        ]
    return figures


if __name__ == "__main__":
    print_table(run())
