"""Reading term data (CSV/XLSX) into the solver's problem data, writing plan files, the demo."""

from pathlib import Path

DEMO_DIR = Path(__file__).parent / "demo"
