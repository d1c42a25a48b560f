"""Core indicators (NNS "Indikatorer för finansiell samordning", ``spec/indicators.md`` §1).

Questionnaires are data, not code: :mod:`definitions` holds the shapes and the rules of a
questionnaire version, :mod:`transfer` reads and writes them as JSON and CSV, :mod:`answers`
checks one respondent's answers, and :mod:`results` computes n, mean, standard deviation, the
share in the top categories and the share "kan inte bedöma", with small-cell protection.
"""
