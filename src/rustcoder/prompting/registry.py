"""Strategies by name: the five single-turn ones, `repair`, and `auto`."""

from __future__ import annotations

from collections.abc import Iterable

from rustcoder.prompting.base import Strategy
from rustcoder.prompting.repair import Repair
from rustcoder.prompting.strategies import Alpaca, Completion, Delimited, Fim, Instruct, OneShot
from rustcoder.prompting.variants import VARIANTS, worded
from rustcoder.types import FimLayout, Language

STRATEGIES: dict[str, Strategy] = {
    s.name: s for s in (Instruct(), Delimited(), OneShot(), Alpaca(), Completion())
}


AUTO = "auto"


def default_strategy_name(languages: Iterable[Language]) -> str:
    """What `auto` means: `delimited` for Rust (as accurate as `instruct` on the default model and about
    40 % less generation time, since the model writes no prose around the code), `instruct` otherwise."""
    return "delimited" if set(languages) == {Language.RUST} else "instruct"


def strategy_named(
    name: str,
    *,
    rounds: int = 3,
    languages: Iterable[Language] = (),
    fim_layout: FimLayout = FimLayout.PSM,
    fim_hold: bool = False,
) -> Strategy:
    """A strategy by name (`auto`: see `default_strategy_name`); `repair` takes its feedback rounds,
    `fim` its layout and whether it holds the end while a bracket is open."""
    if name == AUTO:
        name = default_strategy_name(languages)
    if name == Repair.name:
        return Repair(rounds=rounds)
    if name == Fim.name:
        return Fim(layout=fim_layout, hold=fim_hold)
    if name not in STRATEGIES:
        raise KeyError(name)
    return STRATEGIES[name]


def recorded_strategy(name: str, template: object, languages: Iterable[Language] = ()) -> Strategy:
    """The strategy a run recorded in run.json (its name and `template()`), with the settings the
    template records: repair's rounds, fim's layout and hold, the instruction's wording
    (`--prompt-variant`). KeyError for an unknown name or wording, ValueError for an unknown layout."""
    fields = template if isinstance(template, dict) else {}
    strategy = strategy_named(
        name,
        rounds=int(fields.get("rounds", 3)),
        languages=languages,
        fim_layout=FimLayout(fields.get("fim_layout", FimLayout.PSM.value)),
        fim_hold=bool(fields.get("holds_multi_line")),  # --fim-hold
    )
    wording = fields.get("prompt_variant")
    if not isinstance(wording, dict):
        return strategy
    return worded(strategy, VARIANTS[str(wording.get("name"))])


STRATEGY_NAMES = (*STRATEGIES, Repair.name, Fim.name, AUTO)
