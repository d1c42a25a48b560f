"""The finance domain core (``spec/finance.md``): pure Python, no Django.

* :mod:`.contributions` – the law's financing rules as dated data (50/25/25, the cap, member
  splits, pro rata, deadlines, non-member revenue, two parties per intervention);
* :mod:`.budget` – one association-year's budget and accounts, forecast and key ratios;
* :mod:`.equity` – the recommended maximum equity ("trappan");
* :mod:`.allocation` – the national state-allocation model, its file reader and writers;
* :mod:`.merger` – merger simulation.
"""
