"""The bundle's entry script: the same as `python -m portfolioos`.

A separate file (not portfolioos/__main__.py) so PyInstaller does not put the package
folder itself on sys.path, where `errors`, `cli`, `paths`... would shadow other modules.
"""

from portfolioos.app import main

raise SystemExit(main())
