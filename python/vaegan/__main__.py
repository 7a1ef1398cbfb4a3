"""python3 -m vaegan: which library this package uses, and its version."""
import vaegan

print(f"vaegan {vaegan.version()} (library {vaegan.library_path})")
