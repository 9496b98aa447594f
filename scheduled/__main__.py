"""Entry point of the scheduler process: `python -m scheduled` (what `lvzhi scheduler` runs)."""

from scheduled.runner import main

if __name__ == "__main__":
    main()
