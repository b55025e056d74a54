"""Data sources reading results: previous years from the store, another ruleset's results.

``history: {source: store}`` reads this jurisdiction's signed-off year results
(``kaohe.engine.store.history_table``); ``results: {source: results}`` reads
another ruleset's results, evaluated now or signed off in the store
(``kaohe.engine.store.results_source``). Both need to know which ruleset is
being read (``kaohe.engine.data.context``); outside an evaluation they have
nothing to read and say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kaohe.engine.components import DataSource, RawTable
from kaohe.engine.data.context import DataContext, current
from kaohe.engine.errors import Bilingual, Diagnostic, KaoheError
from kaohe.engine.hookspecs import Registrar, hookimpl
from kaohe.engine.store.readable import MERGE_CHOICES, STORED, TAKEN


def _context(name: str) -> DataContext:
    context = current()
    if context is None:
        raise KaoheError(Diagnostic("E-DATA-SOURCE", {"table": name, "problem": Bilingual(
            "只能在计算方案时读取", "can only be read while a ruleset is evaluated")}))
    return context


class StoreHistorySource(DataSource):
    name = "store"
    title = "结果库中往年已确认的结果"
    description = ("Reads the history table from the results store: the previous years' signed-off year "
                   "results of this ruleset's jurisdiction, by subject id.")
    params_schema = {
        "type": "object", "additionalProperties": False,
        "properties": {
            "years": {"type": "integer", "minimum": 1, "maximum": 50, "title": "读几年 / Years",
                      "description": "需要方案年度之前的几年（缺的年份提醒并按没有结果处理）；默认从第一个已确认的年度起 / "
                                     "how many years before the ruleset's are needed (missing ones warned and "
                                     "treated as years without a result); default: from the first signed-off year"},
            "fields": {"type": "object", "title": "字段对应 / Fields",
                       "description": "history_fields 中的字段 → 结果库中的 grade、total 或 rank（同名的不用写）/ "
                                      "declared history field → the stored grade, total or rank (same names need no entry)",
                       "additionalProperties": {"enum": list(STORED)}},
            "renamed": {"type": "string", "minLength": 1, "title": "更名与合并表 / Renames",
                        "description": "CSV 文件，列 old_id,new_id：改名或合并（两个旧编号对应一个新编号）的对象 / "
                                       "a CSV of old_id,new_id: renamed subjects, or merged ones (two old ids, one new)"},
            "merged": {"enum": list(MERGE_CHOICES), "title": "合并对象取哪个结果 / Merged subjects",
                       "description": "同一年有两个被合并对象的结果时：better 取总分高的，worse 取总分低的 / "
                                      "when two merged subjects have results in one year: better takes the higher "
                                      "total, worse the lower"},
        },
    }

    def read(self, params: Mapping[str, Any], base_dir: Path) -> RawTable:
        from kaohe.engine.store.history_table import history_table  # SQLAlchemy: only when read

        return history_table(params, _context("history"))


class ResultsSource(DataSource):
    name = "results"
    title = "其他方案的结果"
    description = ("Reads another ruleset's results for one period (evaluated now, or its signed-off run in the "
                   "store), one row per subject of this ruleset joined by a key column.")
    params_schema = {
        "type": "object", "additionalProperties": False, "required": ["ruleset", "fields"],
        "properties": {
            "ruleset": {"type": "string", "minLength": 1, "title": "方案 / Ruleset",
                        "description": "另一方案的文件或文件夹，相对本方案所在目录 / the other ruleset's file or "
                                       "folder, relative to this ruleset's folder"},
            "from": {"enum": ["evaluate", "store"], "default": "evaluate", "title": "结果来自 / From",
                     "description": "evaluate：现场计算；store：结果库中最近确认的一次运行 / evaluate: compute it "
                                    "now; store: its latest signed-off run in the results store"},
            "period": {"type": ["string", "integer"], "title": "周期 / Period",
                       "description": "读哪个周期，默认该方案的年度 / which period, default the other ruleset's year"},
            "key": {"type": "string", "minLength": 1, "default": "id", "title": "对应列 / Key",
                    "description": "本方案对象表中写着对方对象编号的列，默认 id / the column of this ruleset's "
                                   "subjects holding the other ruleset's subject id, default id"},
            "fields": {"type": "object", "minProperties": 1, "title": "取哪些结果 / Fields",
                       "description": "本方案的字段名 → 对方结果的 total、grade、rank 或 name / this ruleset's "
                                      "field → the other's total, grade, rank or name",
                       "additionalProperties": {"enum": list(TAKEN)}},
        },
    }

    def read(self, params: Mapping[str, Any], base_dir: Path) -> RawTable:
        from kaohe.engine.store.results_source import results_table

        return results_table(params, _context("results"))


@hookimpl
def register_data_sources(register: Registrar) -> None:
    for source in (StoreHistorySource, ResultsSource):
        register.data_source(source)
