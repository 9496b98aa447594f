"""Entry point of the scheduler process: `python -m scheduled` (what `lvzhi scheduler` runs)."""

from scheduled.runner import main

main()
