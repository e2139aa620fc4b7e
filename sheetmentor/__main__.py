from sheetmentor.cli import main

main()
