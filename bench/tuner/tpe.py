"""Optuna's TPE behind the bench's protocol, for bench/tuner/tpe.ts (a reference, not part of TabTune).

stdin, first line: {"space": {...resolved scales...}, "seed": N, "budget": B}; then one
{"value": v} per trial, oldest asked first. stdout: one {"params": {...}} per trial asked.
Two trials are always pending, as in bench/tuner/run.ts: ask 2, then one after each value.
"""
import json
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def suggest(trial, name, p):
    if p["type"] == "categorical":
        return trial.suggest_categorical(name, p["values"])
    if p["type"] == "integer":
        return trial.suggest_int(name, p["min"], p["max"], log=p["scale"] == "log")
    if p["scale"] == "reverse-log":
        # Optuna has no reverse-log scale: log-uniform in 1 - x is the same distribution.
        return 1 - trial.suggest_float(name, 1 - p["max"], 1 - p["min"], log=True)
    return trial.suggest_float(name, p["min"], p["max"], log=p["scale"] == "log")


def main():
    setup = json.loads(sys.stdin.readline())
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=setup["seed"]))
    space, budget = setup["space"], setup["budget"]
    queue = []

    def ask():
        trial = study.ask()
        params = {name: suggest(trial, name, p) for name, p in space.items()}
        queue.append(trial)
        print(json.dumps({"params": params}), flush=True)

    for _ in range(min(2, budget)):
        ask()
    asked = len(queue)
    while queue:
        value = json.loads(sys.stdin.readline())["value"]
        study.tell(queue.pop(0), value)
        if asked < budget:
            ask()
            asked += 1


main()
