"""The thin Django app of the evaluation package: the ``finsam evaluate`` command and the pages.

Everything it computes comes from the pure core (:mod:`finsam.evaluation.run`,
:mod:`finsam.evaluation.isf`, :mod:`finsam.evaluation.report`); this package only reads files,
checks permissions and renders.
"""
