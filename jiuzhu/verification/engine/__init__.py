"""The means engine (一键核对): pure functions over plain inputs, no database. The service layer gathers
the facts; the engine turns them into income, assets, vetoes and per-program verdicts, each line with
its source and the reason it was used or not."""
