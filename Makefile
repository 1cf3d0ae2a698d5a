# The two commands of the README. Each installs whatever is missing first.
.PHONY: run demo test bench bundle screenshots clean

run:
	@scripts/bootstrap.sh
	@scripts/run.sh

test:
	@scripts/test.sh

bench:
	@scripts/bootstrap.sh
	@for b in benchmarks/*.py; do echo "== $$b"; QT_QPA_PLATFORM=offscreen .venv/bin/python $$b || exit 1; done

# The Linux bundle: dist/PortfolioOS/ and dist/PortfolioOS-<version>-linux-<arch>.tar.gz
bundle:
	@packaging/linux/build.sh

clean:
	rm -rf .venv build dist .mypy_cache .ruff_cache .pytest_cache
