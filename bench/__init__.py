"""`make bench`: WiWebb under bounded load on PostgreSQL, held against a bare WSGI floor.

- `seed`: a fresh database, migrated and bulk-seeded (COPY), with the tokens the load uses.
- `floor`: the `me` scenario without framework, ORM or validation; and a bare WSGI hello.
- `load`: the scenarios' requests, driven by wrk (a Lua script) or, without wrk, a Python client.
- `servers`: starting the servers on a loopback port, their RSS, the SQL counts from their logs.
- `report`: the table, the targets, the JSON written to bench/results/<date>.json.
- `run`: all of it, in order (`python -m bench.run --help`).
"""
