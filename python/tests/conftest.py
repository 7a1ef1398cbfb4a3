# The tests import the installed package (pip install ./python; scripts/test-abi.sh installs it
# into a fresh virtual environment and runs them from outside the repository). To run them on
# the source tree instead, put python/ on the path yourself: PYTHONPATH=python pytest python/tests.


def pytest_terminal_summary(terminalreporter):
    """Every skip's reason, even under -q (as -rs would show them): a skipped test must not pass
    for a passing one unnoticed (the PyTorch interop tests skip where torch is not installed)."""
    reasons = {}
    for report in terminalreporter.stats.get("skipped", []):
        if isinstance(report.longrepr, tuple):
            reason = report.longrepr[2].removeprefix("Skipped: ")
            reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in reasons.items():
        terminalreporter.write_line(f"SKIPPED ({count}): {reason}")
