"""Renders a compose file with docker-compose 1.29 (`config`, no Docker engine needed) and prints one
JSON object: {"valid": true, "config": {...}} with the file as docker-compose understood it (defaults
filled in, variables interpolated, ports and volumes normalised), or {"valid": false, "error": "..."}
with docker-compose's own complaint. Run with the Python of the virtual environment that holds
docker-compose: its PyYAML reads the rendered YAML.

usage: render_compose_config.py COMPOSE_FILE [PROFILE ...]
"""

import json
import os
import subprocess
import sys

import yaml


def main() -> int:
    compose_file, *profiles = sys.argv[1:]
    docker_compose = os.path.join(os.path.dirname(sys.executable), "docker-compose")
    profile_options = [option for profile in profiles for option in ("--profile", profile)]
    rendering = subprocess.run(
        [docker_compose, "-f", compose_file, *profile_options, "config"],
        capture_output=True,
        text=True,
        check=False,
    )
    if rendering.returncode != 0:
        json.dump({"valid": False, "error": (rendering.stderr or rendering.stdout).strip()}, sys.stdout)
    else:
        json.dump({"valid": True, "config": yaml.safe_load(rendering.stdout)}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
