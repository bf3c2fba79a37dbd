from openchance_cli.main import main

main()
