"""The tests of gezinsrooster, mirroring its packages; ``tests.kit`` holds what they share."""
