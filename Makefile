# Thin aliases for dev.py (which needs only Python 3.10+).
.PHONY: demo test setup lint
demo:
	python3 dev.py demo
test:
	python3 dev.py test
setup:
	python3 dev.py setup
lint:
	.venv/bin/ruff check rnagraph tests benchmarks
