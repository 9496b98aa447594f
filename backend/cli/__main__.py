"""Run the `lvzhi` command line as `python -m backend.cli` (how `lvzhi demo` starts children)."""

from backend.cli import main

if __name__ == "__main__":
    main()
