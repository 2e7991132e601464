"""The compatibility matrix: run the scenario suites over many stacks, shard them over CI
runners, merge the shards, diff two nights, and report cell by cell.

    shards.py    whole stacks per shard, balanced by expected duration, deterministic
    recorder.py  the pytest side: every case's outcome and every stack's facts, as files
    facts.py     what a running stack really runs: versions, images, config digests
    runner.py    `harness matrix run`: pytest with parallel workers, a retry, results.json
    merge.py     shards -> one results.json, refusing missing or duplicated shards
    diff.py      night against night
    schema.py    results.json, versioned
    report/      HTML grid, Markdown summary, JUnit, from results.json alone
"""
