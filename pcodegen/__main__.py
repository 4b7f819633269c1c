from pcodegen.cli import main

main()
