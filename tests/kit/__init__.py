"""What several test modules share: tiny weeks and rosters, the service kit, a real server."""
