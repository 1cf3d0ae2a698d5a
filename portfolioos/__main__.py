"""`python -m portfolioos` behaves exactly like the `portfolioos` command."""

from portfolioos.app import main

raise SystemExit(main())
