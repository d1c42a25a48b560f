"""An import pauses Python's automatic garbage collection and always gives it back."""

import gc

import pytest

from finsam.interchange.importers import _chunked_gc, _collect_chunk


def test_collection_is_paused_inside_and_restored_after():
    assert gc.isenabled()
    with _chunked_gc():
        assert not gc.isenabled()
        _collect_chunk()  # a young collection, automatic collection stays paused
        assert not gc.isenabled()
    assert gc.isenabled()


def test_restored_after_an_error():
    with pytest.raises(RuntimeError), _chunked_gc():
        raise RuntimeError("import failed")
    assert gc.isenabled()


def test_a_caller_that_had_paused_collection_keeps_it_paused():
    gc.disable()
    try:
        with _chunked_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_cycles_of_a_chunk_are_collected_after_it():
    class Node:
        pass

    with _chunked_gc():
        a, b = Node(), Node()
        a.other, b.other = b, a
        count = sum(isinstance(o, Node) for o in gc.get_objects())
        del a, b
        _collect_chunk()
        assert sum(isinstance(o, Node) for o in gc.get_objects()) == count - 2
