"""Concrete scorers; load them through `vc_curate.load_scorer`."""
