"""Stages, lost reasons, pipelines, departments and process stages share one vocabulary shape."""

from django.utils import translation

from baton.core.vocabulary import NamedVocabulary, Vocabulary
from baton.deals.models import LostReason, Pipeline, Stage
from baton.process.models import Department, HandOff, ProcessStage, Recycle, Segment, StageHistory


def test_the_lists_share_the_vocabulary_shape():
    assert all(issubclass(m, Vocabulary) for m in (Stage, Department, ProcessStage))
    assert all(issubclass(m, NamedVocabulary) for m in (LostReason, Pipeline))
    assert all(issubclass(m, Segment) for m in (StageHistory, HandOff, Recycle))


def test_a_vocabulary_entry_reads_in_the_active_language():
    reason = LostReason(name="가격", name_en="Price")
    untranslated = Stage(name="구매 고민 중", name_en="")
    with translation.override("ko"):
        assert str(reason) == "가격"
    with translation.override("en"):
        assert str(reason) == "Price"
        assert str(untranslated) == "구매 고민 중"  # no English name: the Korean one
