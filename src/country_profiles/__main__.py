from country_profiles.cli import main

raise SystemExit(main())
