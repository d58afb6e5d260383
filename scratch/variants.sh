#!/bin/bash
# Hartmann3 noiseless, 15 seeds: every variant tried, one line each.
cd /work/wt-localb
export QUIET=1
v() { env LB_LABEL="$1" "${@:2}" npx tsx scratch/summary.ts Hartmann3 15; }
v "default" LB_TRIGGER=off
v "TR full-budget GP, every exploit" LB_TRIGGER=exploit
v "TR full-budget GP, every other new" LB_TRIGGER=alt
v "TR full-budget GP, near 0.05" LB_TRIGGER=near LB_R=0.05
v "TR full-budget GP 10 nearest, near 0.05" LB_TRIGGER=near LB_R=0.05 LB_DATA=near
v "k-nearest box k6" LB_TRIGGER=nearest LB_K=6
v "k-nearest box k10" LB_TRIGGER=nearest LB_K=10
v "joint mean min, global" LB_TRIGGER=mean
v "joint mean min, box 0.1" LB_TRIGGER=meanbox LB_SIDE=0.1
v "joint mean min, box 0.05, near 0.05" LB_TRIGGER=meanbox LB_SIDE=0.05 LB_NEAR=0.05
v "joint EI, box 0.1" LB_TRIGGER=eibox LB_SIDE=0.1
v "joint EI, box 0.05, near 0.05" LB_TRIGGER=eibox LB_SIDE=0.05 LB_NEAR=0.05
v "joint EI, box 0.1, near 0.05" LB_TRIGGER=eibox LB_SIDE=0.1 LB_NEAR=0.05
v "joint EI, box 0.05, near 0.1" LB_TRIGGER=eibox LB_SIDE=0.05 LB_NEAR=0.1
v "joint EI, box 0.02, near 0.02" LB_TRIGGER=eibox LB_SIDE=0.02 LB_NEAR=0.02
v "joint EI, box 0.02, near 0.05" LB_TRIGGER=eibox LB_SIDE=0.02 LB_NEAR=0.05
v "without short runs within 0.05" LB_TRIGGER=without LB_R=0.05
v "without short runs within 0.15" LB_TRIGGER=without LB_R=0.15
v "without rung 1" LB_TRIGGER=without LB_R=0 LB_MINRUNG=3
v "without rungs 1,3" LB_TRIGGER=without LB_R=0 LB_MINRUNG=9
v "all new at full after 3" LB_TRIGGER=allfull
v "all new at full after 3, no promotions" LB_TRIGGER=allfull LB_NOPROMO=3
v "all new at full after 6" LB_TRIGGER=allfull LB_AFTER=6
