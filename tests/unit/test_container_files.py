"""The Dockerfile, .dockerignore, docker-compose.yml and the entrypoint script, checked by parsing.

Each check runs on the real files (it must pass) and on a copy broken in the way it guards against
(it must fail), so no check passes whatever the files say.
"""

from __future__ import annotations

import copy
import json
import os
import re
import stat

import pytest
import yaml

from wiwebb.settings import DEFINITIONS, NAMES

from .container_checks import (
    DEV_SECRET_KEY,
    HEALTH_PATH,
    OPTIONAL_ENV_FILE,
    PROJECT,
    WEBHOOK_PATH,
    base_image,
    check_entrypoint_script,
    copied_files,
    dockerignore_keeps,
    env_files,
    env_of,
    environment,
    memory_limit,
    named_volumes,
    parse_dockerfile,
    read_dockerignore,
    stages,
    url_host_port,
)

SERVICES = {"api", "db", "redis", "localstripe", "localstripe-webhook", "frontend"}
DEVELOPMENT_ONLY = {"localstripe", "localstripe-webhook", "frontend"}
NODE_IMAGE = re.compile(r"node:(\d+)(?:[.-][\w.-]*)?")


def compose_file() -> dict:
    return yaml.safe_load((PROJECT / "docker-compose.yml").read_text())


def dockerfile() -> list:
    return parse_dockerfile((PROJECT / "Dockerfile").read_text())


def dockerignore() -> list[str]:
    return read_dockerignore((PROJECT / ".dockerignore").read_text())


# --- Dockerfile checks (on the parsed instructions)

def check_slim_python_base(instructions) -> None:
    for index, stage in enumerate(stages(instructions)):
        image = base_image(instructions, stage)
        if NODE_IMAGE.fullmatch(image) and index < len(stages(instructions)) - 1:
            continue  # the console's build stage (check_console_in_the_image)
        match = re.fullmatch(r"python:3\.(\d+)-slim(-\w+)?", image)
        assert match and int(match[1]) >= 11, f"{image}: expected a slim Python >= 3.11 image"


def check_final_stage_lean(instructions) -> None:
    *builds, final = stages(instructions)
    assert builds, "expected a build stage, so that pip and its cache stay out of the image"
    runs = " ".join(i.arguments for i in final if i.keyword == "RUN")
    assert "pip install" not in runs and not re.search(r"gcc|build-essential|-dev\b", runs), runs
    assert any(i.keyword == "COPY" and "--from=" in i.arguments for i in final), "the final stage copies no build"
    installs = " ".join(i.arguments for i in instructions if i.keyword == "RUN")
    assert "pip install" in installs and "[test]" not in installs, "install the package without its test extras"


def check_non_root_user(instructions) -> None:
    users = [i.arguments for i in stages(instructions)[-1] if i.keyword == "USER"]
    assert users, "the image runs as root (no USER)"
    assert users[-1].split(":")[0] not in ("root", "0"), f"USER {users[-1]} is root"


def check_default_ini(instructions) -> None:
    assert env_of(stages(instructions)[-1]).get("WIWEBB_INI") == "production.ini"


def check_exposes_8000(instructions) -> None:
    exposed = [port for i in instructions if i.keyword == "EXPOSE" for port in i.arguments.split()]
    assert "8000" in exposed or "8000/tcp" in exposed, exposed


def check_healthcheck(instructions) -> None:
    final = stages(instructions)[-1]
    checks = [i for i in final if i.keyword == "HEALTHCHECK"]
    assert checks, "no HEALTHCHECK"
    _options, found, command = checks[-1].arguments.partition("CMD ")
    assert found, "the HEALTHCHECK has no CMD"
    files = copied_files(final)
    texts = [(PROJECT / files[token]).read_text() if token in files else token
             for token in exec_tokens(command)]
    assert any(HEALTH_PATH in text for text in texts), f"the HEALTHCHECK does not request {HEALTH_PATH}"


def exec_tokens(command: str) -> list[str]:
    """HEALTHCHECK's command, in exec or shell form, as a list."""
    return parse_dockerfile(f"CMD {command}")[0].exec_form()


def check_entrypoint(instructions) -> None:
    final = stages(instructions)[-1]
    entrypoints = [i.exec_form() for i in final if i.keyword == "ENTRYPOINT"]
    assert entrypoints, "no ENTRYPOINT"
    sources = [copied_files(final)[t] for t in entrypoints[-1] if t in copied_files(final)]
    assert sources == ["docker/entrypoint.sh"], f"the ENTRYPOINT runs {entrypoints[-1]}, not docker/entrypoint.sh"
    mode = (PROJECT / sources[0]).stat().st_mode
    assert mode & stat.S_IXUSR and os.access(PROJECT / sources[0], os.X_OK), "the entrypoint is not executable"


def check_copied_sources_in_context(instructions, ignore: list[str]) -> None:
    for instruction in instructions:
        if instruction.keyword == "COPY" and "--from=" not in instruction.arguments:
            *sources, _target = [t for t in instruction.exec_form() if not t.startswith("--")]
            for source in sources:
                assert (PROJECT / source).exists(), f"COPY {source}: no such file"
                assert dockerignore_keeps(ignore, source), f"COPY {source}: .dockerignore leaves it out"
    for secret in (".env", ".env.local", ".git", ".venv", "var/secret_key"):
        assert not dockerignore_keeps(ignore, secret), f".dockerignore sends {secret} to the build"
    for local in ("frontend/node_modules/vite/package.json", "frontend/dist/index.html", "frontend/.env.local"):
        assert not dockerignore_keeps(ignore, local), f".dockerignore sends {local} (the console is built in the image)"


def node_major_required() -> int:
    """The major version of frontend/package.json's engines (">=20.19": 20)."""
    engines = json.loads((PROJECT / "frontend" / "package.json").read_text())["engines"]["node"]
    return int(re.fullmatch(r">=\s*(\d+)(\.\d+)*", engines.strip())[1])


def check_console_in_the_image(instructions) -> None:
    """A Node.js stage builds the console from its sources (npm ci, npm run build), and the image
    gets only its dist/, where CONSOLE_DIR points."""
    *builds, final = stages(instructions)
    consoles = {}
    for stage in builds:
        words = stage[0].arguments.split()
        image = NODE_IMAGE.fullmatch(base_image(instructions, stage))
        if image and len(words) == 3 and words[1].upper() == "AS":
            consoles[words[2]] = stage
            assert int(image[1]) >= node_major_required(), f"{image[0]}: older than frontend/package.json's engines"
    assert len(consoles) == 1, "expected one Node.js stage (FROM node:... AS name) building the console"
    [(name, stage)] = consoles.items()
    runs = " ".join(i.arguments for i in stage if i.keyword == "RUN")
    assert "npm ci" in runs and "npm run build" in runs, f"the {name} stage does not npm ci and npm run build"
    sources = set(copied_files(stage).values())
    assert {"frontend/package-lock.json", "frontend/src"} <= sources, f"the {name} stage copies {sorted(sources)}"
    workdir = next(i.arguments for i in reversed(stage) if i.keyword == "WORKDIR")
    copies = [i.exec_form()[1:] for i in final if i.keyword == "COPY" and f"--from={name}" in i.arguments]
    targets = [target for source, target in copies if source.rstrip("/") == f"{workdir.rstrip('/')}/dist"]
    assert targets, f"the image does not copy {workdir}/dist from the {name} stage"
    assert env_of(final).get("CONSOLE_DIR") == targets[0], f"CONSOLE_DIR is not {targets[0]}, where the console is"


DOCKERFILE_CHECKS = {
    check_slim_python_base: lambda d: [i if i.keyword != "FROM" else i.__class__("FROM", "python:3.12", i.line)
                                       for i in d],
    check_final_stage_lean: lambda d: d + parse_dockerfile("RUN pip install gcc"),
    check_non_root_user: lambda d: d + parse_dockerfile("USER root"),
    check_default_ini: lambda d: d + parse_dockerfile("ENV WIWEBB_INI=development.ini"),
    check_exposes_8000: lambda d: [i for i in d if i.keyword != "EXPOSE"],
    check_healthcheck: lambda d: d + parse_dockerfile('HEALTHCHECK CMD ["python", "-c", "pass"]'),
    check_entrypoint: lambda d: d + parse_dockerfile('ENTRYPOINT ["wiwebb", "serve"]'),
    check_console_in_the_image: lambda d: d + parse_dockerfile("ENV CONSOLE_DIR=/app/elsewhere"),
}


@pytest.mark.parametrize("check", DOCKERFILE_CHECKS, ids=lambda c: c.__name__)
def test_the_dockerfile_passes(check):
    check(dockerfile())


@pytest.mark.parametrize("check", DOCKERFILE_CHECKS, ids=lambda c: c.__name__)
def test_a_broken_dockerfile_fails(check):
    with pytest.raises(AssertionError):
        check(DOCKERFILE_CHECKS[check](dockerfile()))


def test_the_build_context_holds_what_the_dockerfile_copies_and_no_secret():
    check_copied_sources_in_context(dockerfile(), dockerignore())
    with pytest.raises(AssertionError):
        check_copied_sources_in_context(dockerfile(), [*dockerignore(), "src"])
    with pytest.raises(AssertionError):
        check_copied_sources_in_context(dockerfile(), [line for line in dockerignore() if line != "*"])
    with pytest.raises(AssertionError):
        check_copied_sources_in_context(dockerfile(), [*dockerignore(), "!frontend/node_modules"])


def test_the_dockerfile_parser_joins_continuations_and_skips_comments():
    parsed = parse_dockerfile("FROM python:3.12-slim AS build\n# note\nRUN a \\\n  # inside\n  && b\nENV A=1 B='x y'\n")
    assert [(i.keyword, i.arguments, i.line) for i in parsed] == [
        ("FROM", "python:3.12-slim AS build", 1), ("RUN", "a && b", 3), ("ENV", "A=1 B='x y'", 6)]
    assert env_of(parsed) == {"A": "1", "B": "x y"}
    with pytest.raises(ValueError):
        parse_dockerfile("RUN a \\\n")


def test_the_entrypoint_migrates_ensures_the_superuser_then_execs_the_server():
    script = (PROJECT / "docker/entrypoint.sh").read_text()
    check_entrypoint_script(script)
    for broken in (script.replace("wiwebb ensure-superuser", "true"),
                   script.replace("set -eu", ""),
                   script.replace('exec "$@"', '"$@"'),
                   script.replace("wiwebb migrate\nwiwebb ensure-superuser",
                                  "wiwebb ensure-superuser\nwiwebb migrate")):
        assert broken != script
        with pytest.raises(AssertionError):
            check_entrypoint_script(broken)


# --- docker-compose.yml checks (on the parsed YAML)

def check_services(compose) -> None:
    assert set(compose["services"]) == SERVICES


def check_ports(compose) -> None:
    services = compose["services"]
    assert "8000:8000" in services["api"].get("ports", [])
    assert "8420:8420" in services["localstripe"].get("ports", [])
    assert "5173:5173" in services["frontend"].get("ports", [])


def check_volumes(compose) -> None:
    declared = compose.get("volumes") or {}
    assert named_volumes(compose["services"]["db"]).get("wiwebb_postgres_data") == "/var/lib/postgresql/data"
    assert (declared.get("wiwebb_postgres_data") or {}).get("name", "wiwebb_postgres_data") == "wiwebb_postgres_data"
    for name, service in compose["services"].items():
        for volume in named_volumes(service):
            assert volume in declared, f"{name} mounts {volume}, which is not declared under volumes:"


def check_healthchecks(compose) -> None:
    services = compose["services"]
    assert "pg_isready" in " ".join(services["db"].get("healthcheck", {}).get("test", []))
    assert services["redis"].get("healthcheck", {}).get("test", [])[1:] == ["redis-cli", "ping"]
    for name, service in services.items():
        for needed, condition in (service.get("depends_on") or {}).items():
            if condition.get("condition") == "service_healthy":
                assert "healthcheck" in services[needed], f"{name} waits for {needed}, which has no healthcheck"


def check_api_waits_for_a_healthy_db(compose) -> None:
    depends = compose["services"]["api"].get("depends_on") or {}
    assert isinstance(depends, dict) and depends.get("db", {}).get("condition") == "service_healthy"


def check_env_files(compose) -> None:
    assert (OPTIONAL_ENV_FILE, False) in env_files(compose["services"]["api"])
    for name, service in compose["services"].items():
        for path, required in env_files(service):
            assert not required or (PROJECT / path).is_file(), f"{name}: env_file {path} does not exist"


def check_memory_limits(compose) -> None:
    for name, service in compose["services"].items():
        assert 32 * 2**20 <= memory_limit(service) <= 4 * 2**30, f"{name}: memory limit out of range"


def check_profiles(compose) -> None:
    for name, service in compose["services"].items():
        expected = ["development"] if name in DEVELOPMENT_ONLY else []
        assert service.get("profiles", []) == expected, f"{name}: profiles {service.get('profiles')}"


def check_api_variables_are_settings(compose) -> None:
    variables = environment(compose["services"]["api"])
    assert not set(variables) - NAMES, f"not WiWebb settings: {sorted(set(variables) - NAMES)}"
    assert variables.get("SECRET_KEY", DEV_SECRET_KEY) == DEV_SECRET_KEY


def check_wiring(compose) -> None:
    services = compose["services"]
    api, db = environment(services["api"]), environment(services["db"])
    assert api["WIWEBB_INI"] == "development.ini" and api["WIWEBB_INI"] in services["api"]["command"]
    assert api["DATABASE"] == "postgres" and not api.get("DATABASE_URL") and api["POSTGRES_HOST"] == "db"
    for name in ("POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"):
        assert api[name] == db[name], f"api and db disagree on {name}"
    assert url_host_port(api["REDIS_URL"])[0] == "redis"
    assert url_host_port(api["LOCALSTRIPE_URL"]) == ("localstripe", 8420) and api["USE_LOCALSTRIPE"] == "true"
    assert api["STRIPE_SECRET_KEY"].startswith("sk_test_")
    webhook = environment(services["localstripe-webhook"])
    assert webhook["STRIPE_WEBHOOK_SECRET"] == api["STRIPE_WEBHOOK_SECRET"], "localstripe would sign otherwise"
    assert api["STRIPE_WEBHOOK_SECRET"].startswith("whsec_")
    assert webhook["LOCALSTRIPE_URL"] == api["LOCALSTRIPE_URL"]
    assert webhook["WEBHOOK_URL"] == f"http://api:8000{WEBHOOK_PATH}"


def check_images(compose) -> None:
    services = compose["services"]
    assert services["db"]["image"] == "postgres:16" and services["redis"]["image"] == "redis:7"
    assert services["api"].get("build") in (".", {"context": "."}), "the api is not built from the Dockerfile"
    localstripe = services["localstripe"].get("build", {})
    assert (PROJECT / localstripe.get("context", "?") / localstripe.get("dockerfile", "Dockerfile")).is_file()


def check_frontend_dev_server(compose) -> None:
    """The console's dev server on the mounted ./frontend, with node_modules in a volume of its own,
    calling the api where the browser finds it; the api's reset links open it, and its CORS allows it."""
    services = compose["services"]
    frontend, api = services["frontend"], environment(services["api"])
    image = NODE_IMAGE.fullmatch(frontend.get("image", ""))
    assert image and int(image[1]) >= node_major_required(), f"{frontend.get('image')}: not a recent enough node"
    workdir = frontend.get("working_dir")
    binds = dict(v.split(":")[:2] for v in frontend.get("volumes", []) if v.startswith("."))
    assert binds.get("./frontend") == workdir, f"working_dir {workdir} is not where ./frontend is mounted"
    assert f"{workdir}/node_modules" in named_volumes(frontend).values(), "node_modules is not in a volume"
    command = " ".join(frontend.get("command", []))
    assert "npm ci" in command and re.search(r"npm run dev -- .*--host 0\.0\.0\.0", command), command
    host, port = url_host_port(environment(frontend).get("VITE_API_URL", ""))
    assert host == "localhost" and f"{port}:8000" in services["api"].get("ports", []), \
        "VITE_API_URL must be where a browser on this machine reaches the api"
    assert api.get("FRONTEND_URL") == "http://localhost:5173", "reset links do not open the dev server"
    default_origins = next(d.default for d in DEFINITIONS if d.name == "CORS_ALLOWED_ORIGINS") or ""
    origins = api.get("CORS_ALLOWED_ORIGINS") or default_origins
    assert "http://localhost:5173" in origins.split(","), "the api's CORS refuses the dev server"


def check_source_mount_is_on_the_image_path(compose) -> None:
    mounts = [v.split(":") for v in compose["services"]["api"].get("volumes", []) if v.startswith("./src:")]
    assert mounts, "the api does not mount ./src (no reload on code changes)"
    python_path = env_of(stages(dockerfile())[-1]).get("PYTHONPATH", "").split(":")
    assert mounts[0][1] in python_path, f"{mounts[0][1]} is not on the image's PYTHONPATH {python_path}"


def _without(path: str):
    """A mutation that deletes compose[...] at `path` (keys joined by dots)."""
    *parents, last = path.split(".")

    def mutate(compose):
        node = compose
        for key in parents:
            node = node[key]
        del node[last]
        return compose
    return mutate


def _setting(service: str, name: str, value: str):
    def mutate(compose):
        compose["services"][service].setdefault("environment", {})[name] = value
        return compose
    return mutate


COMPOSE_CHECKS = {
    check_services: _without("services.redis"),
    check_ports: _without("services.api.ports"),
    check_volumes: _without("volumes.wiwebb_postgres_data"),
    check_healthchecks: _without("services.db.healthcheck"),
    check_api_waits_for_a_healthy_db: _without("services.api.depends_on.db"),
    check_env_files: _without("services.api.env_file"),
    check_memory_limits: _without("services.redis.mem_limit"),
    check_profiles: _without("services.localstripe.profiles"),
    check_api_variables_are_settings: _setting("api", "DJANGO_SETTINGS_MODULE", "x"),
    check_wiring: _setting("api", "STRIPE_WEBHOOK_SECRET", "whsec_other"),
    check_images: _without("services.api.build"),
    check_source_mount_is_on_the_image_path: _without("services.api.volumes"),
    check_frontend_dev_server: _setting("frontend", "VITE_API_URL", "http://api:8000"),
}


@pytest.mark.parametrize("check", COMPOSE_CHECKS, ids=lambda c: c.__name__)
def test_the_compose_file_passes(check):
    check(compose_file())


@pytest.mark.parametrize("check", COMPOSE_CHECKS, ids=lambda c: c.__name__)
def test_a_broken_compose_file_fails(check):
    with pytest.raises(AssertionError):
        check(COMPOSE_CHECKS[check](copy.deepcopy(compose_file())))


def test_a_production_secret_key_in_the_compose_file_fails():
    with pytest.raises(AssertionError):
        check_api_variables_are_settings(_setting("api", "SECRET_KEY", "s3cr3t")(compose_file()))
