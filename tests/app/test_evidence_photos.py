"""Services on imported photos: listing, captions, order, soft delete and undo, attach,
thumbnails, the viewer's file, annotations and rendering for reports."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from app.errors import InvalidAnswer, VisitLocked
from app.evidence import (
    AnnotationLayer,
    Arrow,
    Ellipse,
    Freehand,
    InvalidAnnotation,
    Rect,
    Text,
    attach_photo,
    delete_photo,
    display_path,
    get_annotations,
    get_photo,
    import_bytes,
    list_deleted_photos,
    list_photos,
    photo_file,
    render_annotations,
    render_photo,
    reorder_photos,
    restore_photo,
    save_annotations,
    set_caption,
    thumbnail_path,
)
from app.evidence.store import hash_file
from app.finalize import finalize_visit
from app.findings import add_finding
from tests.app.photo_factory import heic, jpeg


@pytest.fixture
def three(profile, photo_visit) -> list[str]:
    ids = []
    for i, item in enumerate(("A1", "A1", "B1")):
        ids += import_bytes(profile, jpeg(seed=i), f"{i}.jpg", visit_id=photo_visit, item_code=item).evidence_ids
    return ids


def test_lists_by_visit_and_item(profile, photo_visit, three):
    assert [p.id for p in list_photos(profile, photo_visit)] == three
    assert [p.id for p in list_photos(profile, photo_visit, item_code="A1")] == three[:2]
    assert [p.id for p in list_photos(profile, photo_visit, item_code="B2")] == []


def test_caption(profile, photo_visit, three):
    changes = set_caption(profile, three[0], "  灭火器压力不足  ")
    assert changes.evidence and changes.visit_ids == {photo_visit} and changes.item_codes == {"A1"}
    assert get_photo(profile, three[0]).caption == "灭火器压力不足"
    with pytest.raises(InvalidAnswer):
        set_caption(profile, three[0], "x" * 5000)


def test_reorder_within_an_item_keeps_the_others_in_place(profile, photo_visit, three):
    reorder_photos(profile, photo_visit, [three[1], three[0]])
    assert [p.id for p in list_photos(profile, photo_visit)] == [three[1], three[0], three[2]]
    reorder_photos(profile, photo_visit, [three[2], three[0], three[1]])
    assert [p.id for p in list_photos(profile, photo_visit)] == [three[2], three[0], three[1]]
    with pytest.raises(InvalidAnswer):
        reorder_photos(profile, photo_visit, [three[0], three[0]])


def test_reordering_marks_rows_for_sync(profile, photo_visit, three):
    profile.db.execute("UPDATE evidence SET dirty = 0")
    profile.db.execute("UPDATE evidence_positions SET dirty = 0")
    reorder_photos(profile, photo_visit, [three[1], three[0]])
    # Only the moved photos' positions are new revisions; the photo rows themselves are untouched.
    dirty = {r[0] for r in profile.db.execute("SELECT evidence_id FROM evidence_positions WHERE dirty = 1")}
    assert dirty == {three[0], three[1]}
    assert profile.db.execute("SELECT count(*) FROM evidence WHERE dirty = 1").fetchone()[0] == 0


def test_soft_delete_and_undo(profile, photo_visit, three):
    changes = delete_photo(profile, three[1])
    assert changes.evidence
    assert [p.id for p in list_photos(profile, photo_visit)] == [three[0], three[2]]
    [gone] = list_deleted_photos(profile, photo_visit)
    assert gone.id == three[1] and gone.deleted and gone.deleted_at
    assert photo_file(profile, three[1]).is_file()  # the file stays for the undo
    restore_photo(profile, three[1])
    assert [p.id for p in list_photos(profile, photo_visit)] == three
    assert get_photo(profile, three[1]).deleted_at is None
    assert restore_photo(profile, three[1]).evidence is False  # nothing to undo


def test_attach_to_another_item_and_a_finding(profile, photo_visit, three):
    finding = add_finding(profile, photo_visit, description="作业量超标", item_code="B1").id
    changes = attach_photo(profile, three[0], item_code="B1", finding_id=finding)
    assert changes.item_codes == {"A1", "B1"}
    photo = get_photo(profile, three[0])
    assert (photo.item_code, photo.finding_id) == ("B1", finding)
    assert [p.id for p in list_photos(profile, photo_visit, finding_id=finding)] == [three[0]]
    attach_photo(profile, three[0])  # detach from both
    assert (get_photo(profile, three[0]).item_code, get_photo(profile, three[0]).finding_id) == (None, None)


def test_thumbnail_is_rebuilt_when_the_cache_is_gone(profile, three):
    path = thumbnail_path(profile, three[0])
    first = path.read_bytes()
    path.unlink()
    assert thumbnail_path(profile, three[0]).read_bytes() == first
    big = thumbnail_path(profile, three[0], size=64)
    assert max(Image.open(big).size) == 64


def test_display_path_is_the_original_for_jpeg_and_a_jpeg_for_heic(profile, photo_visit, three):
    assert display_path(profile, three[0]) == photo_file(profile, three[0])
    [heic_id] = import_bytes(profile, heic(), "IMG.HEIC", visit_id=photo_visit).evidence_ids
    shown = display_path(profile, heic_id)
    assert shown != photo_file(profile, heic_id)
    assert Image.open(shown).format == "JPEG" and Image.open(shown).size == (64, 32)


LAYER = AnnotationLayer((
    Arrow((0.1, 0.1), (0.5, 0.5)),
    Rect((0.2, 0.2, 0.6, 0.8), color="#00ff00", width=0.01),
    Ellipse((0.5, 0.1, 0.9, 0.4), color="#0000ff80"),
    Freehand(((0.0, 1.0), (0.3, 0.7), (0.6, 0.9))),
    Text((0.05, 0.85), "灭火器过期 expired", size=0.08),
))


def test_annotation_layer_round_trip(profile, three):
    before = hash_file(photo_file(profile, three[0]))
    assert get_annotations(profile, three[0]) == AnnotationLayer()
    assert save_annotations(profile, three[0], LAYER).evidence
    assert get_annotations(profile, three[0]) == LAYER
    assert AnnotationLayer.from_json(LAYER.to_json()) == LAYER
    assert get_photo(profile, three[0]).has_annotations
    assert hash_file(photo_file(profile, three[0])) == before  # the original is untouched
    save_annotations(profile, three[0], AnnotationLayer())
    assert not get_photo(profile, three[0]).has_annotations


@pytest.mark.parametrize("bad", [
    {"format": "other", "shapes": []},
    {"format": "fieldmark.annotations/1", "shapes": [{"kind": "star"}]},
    {"format": "fieldmark.annotations/1", "shapes": [{"kind": "rect", "box": [0, 0, 2, 1]}]},
    {"format": "fieldmark.annotations/1", "shapes": [{"kind": "rect", "box": [0, 0, 1, 1], "color": "red"}]},
    {"format": "fieldmark.annotations/1", "shapes": [{"kind": "text", "at": [0, 0], "text": " "}]},
    {"format": "fieldmark.annotations/1", "shapes": [{"kind": "freehand", "points": [[0, 0]]}]},
    {"format": "fieldmark.annotations/1", "shapes": [{"kind": "arrow", "start": [0, 0], "end": [1, 1], "x": 1}]},
])
def test_malformed_layers_are_refused(bad):
    with pytest.raises(InvalidAnnotation):
        AnnotationLayer.from_json(json.dumps(bad))


def test_saving_a_bad_layer_is_refused(profile, three):
    with pytest.raises(InvalidAnnotation):
        save_annotations(profile, three[0], AnnotationLayer((Rect((0, 0, 1.5, 1)),)))


def test_renderer_draws_on_a_copy():
    base = Image.new("RGB", (200, 100), "white")
    drawn = render_annotations(base, AnnotationLayer((Rect((0.1, 0.1, 0.9, 0.9), color="#ff0000", width=0.02),)))
    assert base.getpixel((20, 10)) == (255, 255, 255)
    assert drawn.size == base.size and drawn.getpixel((20, 10))[0] > 200 and drawn.getpixel((20, 10))[1] < 60
    assert drawn.getpixel((100, 50)) == (255, 255, 255)  # an outline, not a fill
    assert render_annotations(base, LAYER).size == (200, 100)  # every kind draws, text included


def test_render_photo_for_reports_is_upright_scaled_and_annotated(profile, photo_visit):
    [pid] = import_bytes(profile, jpeg((1600, 800), orientation=6), "r.jpg", visit_id=photo_visit).evidence_ids
    plain = render_photo(profile, pid, max_edge=400, annotated=False)
    assert plain.size == (400, 200)
    assert plain.getpixel((20, 20))[0] > 150  # red corner at the top-left: upright
    save_annotations(profile, pid, AnnotationLayer((Rect((0.5, 0.5, 0.9, 0.9), color="#00ff00", width=0.02),)))
    drawn = render_photo(profile, pid, max_edge=400)
    assert drawn.getpixel((200, 100))[1] > 150 and plain.getpixel((200, 100))[1] < 150


def test_photos_of_a_finalized_visit_are_read_only(profile, photo_visit, three):
    finalize_visit(profile, photo_visit, accept_gaps=True)
    for change in (lambda: set_caption(profile, three[0], "x"), lambda: delete_photo(profile, three[0]),
                   lambda: save_annotations(profile, three[0], LAYER),
                   lambda: reorder_photos(profile, photo_visit, three)):
        with pytest.raises(VisitLocked):
            change()
    assert thumbnail_path(profile, three[0]).is_file()  # reading still works
