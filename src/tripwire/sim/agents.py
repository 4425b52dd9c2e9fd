"""The six country agents.

A :class:`CountryAgent` is a seat at the table: an actor code and the policy that decides for
it (a bot, or a human seat fed by the board or a script). The model asks every agent to decide
on the same :class:`~tripwire.sim.policies.DecisionView`; agents never change the state
themselves; adjudication does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from tripwire.sim.model import CrisisModel
    from tripwire.sim.policies import Policy


class CountryAgent(mesa.Agent):
    """One of RUS, PRK, CHN, USA, KOR, JPN.

    Attributes:
        code: ISO 3166 alpha-3 code.
        actor_index: position in the model's actor order.
        policy: who decides for this country.
        chosen: the moves chosen for the turn being played.
    """

    model: CrisisModel

    def __init__(self, model: CrisisModel, code: str, policy: Policy):
        super().__init__(model)
        self.code = code
        self.actor_index = model.rules.actors.index(code)
        self.policy = policy
        self.chosen: list[int] = []

    def decide(self) -> None:
        """Choose this turn's moves from the model's decision view."""
        self.chosen = self.policy.choose(self.actor_index, self.model.view)

    def __repr__(self) -> str:
        return f"CountryAgent({self.code})"
