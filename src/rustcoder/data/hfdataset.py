"""The mined examples as a Hugging Face dataset on disk: parquet files per config and split, and a dataset
card whose `configs` metadata lets `datasets.load_dataset(DIR, "fim")` (or "instructions") load them.

Parquet is written with pyarrow from the same rows as the JSONL, with an explicit schema (every field a
string but booleans), so the same rows give the same bytes. An empty split has no parquet file (which
`datasets` cannot read) and is left out of the card.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

CARD_HEAD = """---
license: other
license_name: per-example
license_link: datasheet.md
tags:
- rust
- code
- fill-in-the-middle
configs:
{configs}
---
"""


def _schema(rows: Sequence[Mapping[str, Any]]) -> Any:
    import pyarrow as pa

    names = sorted({name for row in rows for name in row})
    types = {
        name: pa.bool_() if any(isinstance(row.get(name), bool) for row in rows) else pa.string()
        for name in names
    }
    return pa.schema([(name, types[name]) for name in names])


def write_parquet(
    out: Path, configs: Mapping[str, Mapping[str, Sequence[Mapping[str, Any]]]], datasheet: str
) -> None:
    """`configs` maps a config name ("fim") to its splits' rows; writes `NAME/SPLIT.parquet` for each and
    `README.md`, the dataset card (the datasheet under the metadata that names the files)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    entries = []
    for name, splits in configs.items():
        schema = _schema([row for rows in splits.values() for row in rows])
        entries.append(f"- config_name: {name}\n  data_files:")
        for split, rows in splits.items():
            if not rows:
                continue  # `datasets` cannot read an empty parquet file; the JSONL still has the split
            table = pa.Table.from_pylist([dict(row) for row in rows], schema=schema)
            path = out / name / f"{split}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(table, path)
            entries.append(f"  - split: {split}\n    path: {name}/{split}.parquet")
    card = CARD_HEAD.format(configs="\n".join(entries)) + "\n" + datasheet
    (out / "README.md").write_text(card, encoding="utf-8")
