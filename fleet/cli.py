"""``taihaoban-release``: the operators' release tool (fleet/README.md tells the workflow).

Every command but ``build`` works on a repository (``--repo``) with its online keys
(``--keys``); both may come from ``TAIHAOBAN_RELEASE_REPO`` / ``TAIHAOBAN_RELEASE_KEYS``.
The offline root keys are named explicitly (``--root-keys``) by the commands that need them.
``promote`` and ``status`` read the fleet status from the platform (``--platform``, the
operator token in ``--operator-token-file``; or ``TAIHAOBAN_PLATFORM_URL`` /
``TAIHAOBAN_OPERATOR_TOKEN_FILE``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path

import msgspec

from fleet import keys
from fleet.build import BuildError, build_bundle
from fleet.repository import (
    Expiries,
    Repository,
    RepositoryError,
    Thresholds,
    repository_lock,
)
from fleet.status import FleetStatusError, fetch_fleet, status_report
from kiosk.contract import ReleaseManifest

ROOT_WARNING = dt.timedelta(days=60)
DEFAULT_WHEEL_CACHE = Path.home() / ".cache" / "taihaoban-release" / "wheels"
"""Kept between builds on purpose: a wheel built from an sdist is then the same bytes in
every release, so a code-only release publishes our wheel alone."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    repo = getattr(args, "repo", None)
    lock = repository_lock(repo) if repo is not None else contextlib.nullcontext()
    try:
        with lock:
            message: str = args.run(args)
    except (RepositoryError, BuildError, FleetStatusError) as error:
        print(f"未执行：{error}", file=sys.stderr)
        return 1
    print(message, end="" if message.endswith("\n") else "\n")
    return 0


# --- commands ---------------------------------------------------------------------------------


def _init(args: argparse.Namespace) -> str:
    repository = Repository.init(
        args.repo,
        args.keys,
        args.root_keys,
        thresholds=Thresholds(**dict(args.threshold)),
        expiries=Expiries(**{role: dt.timedelta(days=d) for role, d in args.expires}),
    )
    return (
        f"已创建发布仓库 {repository.path}。\n"
        f"根密钥在 {args.root_keys}：请转存到离线介质并从本机删除，"
        "rotate-key 时再用 --root-keys 指定。\n"
        f"终端安装时信任的根元数据：{repository.path / 'metadata' / 'root.json'}"
    )


def _build(args: argparse.Namespace) -> str:
    result = build_bundle(args.checkout, args.version, args.out, args.wheel_cache)
    return (
        f"发布包 {args.version} 已生成于 {args.out}：{len(result.manifest.wheels)} 个 wheel，"
        f"共 {result.total_bytes / 1e6:.1f} MB（本程序 {result.app_wheel_bytes / 1e3:.0f} kB）"
    )


def _publish(args: argparse.Namespace) -> str:
    repository = _open(args)
    manifest_version = _bundle_version(args.bundle)
    if manifest_version != args.version:
        raise RepositoryError(f"发布包是 {manifest_version} 版，不是 {args.version}")
    result = repository.publish(args.bundle, args.rollout, args.note)
    return (
        f"已发布 {result.version}，范围 {args.rollout}%：新增 {len(result.new_targets)} 个文件，"
        f"{result.new_bytes / 1e6:.2f} MB（复用已发布的 wheel {result.reused_wheels} 个）"
    )


def _promote(args: argparse.Namespace) -> str:
    if args.force and not args.reason:
        raise RepositoryError("--force 必须同时给出 --reason（理由写入频道备注）")
    repository = _open(args)
    fleet = fetch_fleet(args.platform, _operator_token(args))
    channel = repository.promote(fleet, args.to, force_reason=args.reason if args.force else None)
    return f"版本 {channel.version} 已推进到 {channel.rollout_percent}%"


def _halt(args: argparse.Namespace) -> str:
    channel = _open(args).halt(args.reason)
    return f"版本 {channel.version} 的发布已暂停（{channel.rollout_percent}%）：{args.reason}"


def _rollback(args: argparse.Namespace) -> str:
    channel = _open(args).rollback(args.version, args.reason)
    return f"所有终端将回到版本 {channel.version}"


def _rotate_key(args: argparse.Namespace) -> str:
    repository = _open(args)
    repository.rotate_key(args.role, args.root_keys)
    return (
        f"{args.role} 密钥已更换，根元数据为第 {repository.root.signed.version} 版；"
        "旧密钥文件已删除"
    )


def _resign_timestamp(args: argparse.Namespace) -> str:
    repository = _open(args)
    repository.resign_timestamp()
    expires = repository.timestamp.signed.expires
    message = f"timestamp 已重新签名，有效至 {expires:%Y-%m-%d %H:%M} UTC"
    root_expires = repository.root.signed.expires
    if root_expires - dt.datetime.now(dt.UTC) < ROOT_WARNING:
        # Only the offline root keys can renew the root: warn while there is time to fetch them.
        message += (
            f"\n注意：根元数据将于 {root_expires:%Y-%m-%d} 过期，"
            "请取出离线根密钥运行 rotate-key 续签"
        )
    return message


def _status(args: argparse.Namespace) -> str:
    channel = _open(args).channel
    fleet = fetch_fleet(args.platform, _operator_token(args))
    return status_report(fleet, channel, dt.datetime.now(dt.UTC))


# --- arguments --------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="taihaoban-release", description="泰好办终端发布工具（运维人员使用）"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def command(
        name: str, run: Callable[[argparse.Namespace], str], help: str, repo: bool = True
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(run=run)
        if repo:
            sub.add_argument("--repo", type=Path, default=_env_path("TAIHAOBAN_RELEASE_REPO"))
            sub.add_argument("--keys", type=Path, default=_env_path("TAIHAOBAN_RELEASE_KEYS"))
        return sub

    init = command("init", _init, "创建发布仓库和各角色密钥")
    init.add_argument("--root-keys", type=Path, required=True, help="根密钥目录（之后离线保存）")
    init.add_argument(
        "--threshold",
        type=_role_number(int),
        action="append",
        default=[],
        metavar="ROLE=N",
        help="角色的签名门限（密钥数），默认各为 1",
    )
    init.add_argument(
        "--expires",
        type=_role_number(float),
        action="append",
        default=[],
        metavar="ROLE=DAYS",
        help="角色元数据有效天数，默认 root=365 targets=90 snapshot=7 timestamp=1",
    )

    build = command("build", _build, "从本仓库代码生成发布包", repo=False)
    build.add_argument("version")
    build.add_argument("--out", type=Path, required=True)
    build.add_argument("--checkout", type=Path, default=Path.cwd())
    build.add_argument("--wheel-cache", type=Path, default=DEFAULT_WHEEL_CACHE)

    publish = command("publish", _publish, "发布一个版本给部分终端")
    publish.add_argument("version")
    publish.add_argument("--bundle", type=Path, required=True)
    publish.add_argument("--rollout", type=_percent, required=True, metavar="N%")
    publish.add_argument("--note", default="")

    promote = command("promote", _promote, "扩大当前版本的发布范围（当前批次无失败时）")
    promote.add_argument("--to", type=_percent, metavar="N%", help="默认下一档：10/25/50/100%%")
    promote.add_argument("--force", action="store_true", help="当前批次有失败也推进")
    promote.add_argument("--reason", help="--force 的理由，写入频道备注")
    _platform_options(promote)

    halt = command("halt", _halt, "暂停当前版本的发布")
    halt.add_argument("--reason", required=True)

    rollback = command("rollback", _rollback, "让所有终端回到一个已发布的版本")
    rollback.add_argument("version")
    rollback.add_argument("--reason", default="")

    rotate = command("rotate-key", _rotate_key, "更换一个角色的密钥（需要离线根密钥）")
    rotate.add_argument("role", choices=keys.ROLES)
    rotate.add_argument("--root-keys", type=Path, required=True)

    command("resign-timestamp", _resign_timestamp, "重新签名 timestamp（由 cron 定时运行）")

    status = command("status", _status, "终端状态与发布频道")
    _platform_options(status)
    return parser


def _platform_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--platform", default=os.environ.get("TAIHAOBAN_PLATFORM_URL"))
    parser.add_argument(
        "--operator-token-file",
        type=Path,
        default=_env_path("TAIHAOBAN_OPERATOR_TOKEN_FILE"),
    )


def _open(args: argparse.Namespace) -> Repository:
    if args.repo is None or args.keys is None:
        raise RepositoryError("请用 --repo 和 --keys（或环境变量）指定发布仓库和密钥目录")
    return Repository.open(args.repo, args.keys)


def _operator_token(args: argparse.Namespace) -> str:
    if args.platform is None or args.operator_token_file is None:
        raise FleetStatusError("请用 --platform 和 --operator-token-file 指定平台和运维令牌")
    return Path(args.operator_token_file).read_text(encoding="utf-8").strip()


def _bundle_version(bundle: Path) -> str:
    manifest = msgspec.json.decode((bundle / "manifest.json").read_bytes(), type=ReleaseManifest)
    return manifest.version


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def _percent(text: str) -> int:
    number = text.removesuffix("%")
    if not number.isdigit() or not 0 < int(number) <= 100:
        raise argparse.ArgumentTypeError(f"{text} 不是 1–100% 之间的百分比")
    return int(number)


def _role_number(kind: Callable[[str], float]) -> Callable[[str], tuple[str, float]]:
    def parse(text: str) -> tuple[str, float]:
        role, _, number = text.partition("=")
        if role not in keys.ROLES:
            raise argparse.ArgumentTypeError(f"{role} 不是角色（{', '.join(keys.ROLES)}）")
        try:
            return role, kind(number)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text}：{number} 不是数字") from None

    return parse
