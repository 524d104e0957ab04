"""Electronic signatures: PAdES signatures of asysta's documents verified offline, and the
centre's own seal on what it sends (`weryfikacja`, `rodzaj`, `zaufane`, `pieczec`)."""
