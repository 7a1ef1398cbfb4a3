# The tests import the installed package (pip install ./python; scripts/test-abi.sh installs it
# into a fresh virtual environment and runs them from outside the repository). To run them on
# the source tree instead, put python/ on the path yourself: PYTHONPATH=python pytest python/tests.
