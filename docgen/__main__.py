"""python -m docgen"""

from docgen.cli import run

run()
