"""The scenario designer's workbench: checks and dry runs that compile or play a scenario.

This layer sits above both :mod:`tripwire.scenario` (files -> validated Scenario) and
:mod:`tripwire.sim` (the engine): ``lint`` compiles a scenario to find rules that can never
fire, ``dryrun`` plays it in lockstep to count how often each inject, trigger and outcome
fires, and ``guide`` builds the scenario guide's generated parts from both.
"""
