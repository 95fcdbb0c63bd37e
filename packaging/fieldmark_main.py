"""The frozen application's entry script: the ``fieldmark`` console command (ui.launcher:main).

With no arguments (or only ``--data-dir``) it opens the desktop; with a command it runs the CLI,
exactly as the installed ``fieldmark`` script does.
"""

from ui.launcher import main

if __name__ == "__main__":
    raise SystemExit(main())
