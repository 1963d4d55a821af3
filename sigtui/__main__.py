from sigtui.cli import main

main()
