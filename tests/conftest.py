"""Shared fixtures: the real cue binary, the golden-update flag, a private user cache folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ALL = frozenset({"*"})
_CACHE_HOME = tempfile.mkdtemp(prefix="oam-render-test-cache-")
# Tests that run the cue CLI, by module and test name (without `test_`). When cue is not on
# PATH only these are skipped, so the pure-Python tests still run (CI requires cue: all run).
# A new test that needs cue: add it here, or mark it `@pytest.mark.needs_cue`.
NEEDS_CUE: dict[str, frozenset[str] | set[str]] = {
    "cli/test_cli_gates.py": {
        "def_vet_findings_in_json",
        "diff_renders_apps_and_ignores_paths",
        "github_commands_go_to_stdout",
        "json_problems_go_to_stdout_and_read_back",
        "render_validate_fails_on_objects_the_api_would_refuse",
        "render_validate_passes_a_good_app",
        "sarif_to_a_file_even_when_clean",
        "validate_an_output_dir",
        "validate_points_at_file_and_line",
        "version",
    },
    "cli/test_cli_smoke.py": ALL,
    "deftools/test_deftools.py": {
        "bundled_definitions_vet_clean_in_one_process",
        "convert_to_a_folder_writes_one_file_per_definition",
        "cue_data",
        "format_cue_applies_cue_fmt_diff",
        "golden_def",
        "init_writes_the_file",
        "round_trip",
        "skeleton_passes_vet",
        "vet_sets_broken_templates_aside_and_reruns_the_rest",
    },
    "gates/test_gates_diff.py": {
        "an_unchanged_app_rendered_again_is_equal",
        "sides_may_be_a_stream_an_output_dir_or_an_app",
    },
    "output/test_output_safety.py": {
        "a_failure_through_the_cli_is_a_message_and_leaves_the_folder",
        "a_file_in_the_way_of_a_folder_is_an_error_not_a_traceback",
        "a_linked_file_inside_the_target_is_left_alone",
        "a_linked_folder_inside_the_target_is_not_written_through",
        "def_convert_with_a_dotdot_definition_name_stays_inside",
        "docs_of_definitions_that_map_to_one_page_fail",
        "docs_with_a_dotdot_definition_name_stays_inside",
        "schema_all_keeps_the_users_files",
        "schema_all_with_a_dotdot_definition_name_stays_inside",
        "the_target_itself_may_be_a_link_the_user_named",
        "wrote_n_files_counts_the_files_that_exist",
    },
    "render/test_environments.py": {
        "a_problem_of_one_environment_names_it",
        "cli_env_flag_and_output_dir_folders",
        "cli_headers_name_app_environment_and_component",
        "cli_policy_objects_get_their_own_folder",
        "cli_standalone_policy_and_workflow_files",
        "custom_policy_sees_artifacts_and_runs_in_one_more_process",
        "environments_group_objects_with_their_namespace_and_overrides",
        "option_picks_one_environment_and_unknown_names_fail",
        "override_only_step_is_an_environment_named_after_the_step",
        "repeated_topology_gets_its_step_name",
        "standalone_documents_apply_when_referenced_and_warn_otherwise",
        "three_environments_cost_the_processes_of_one",
        "without_deploy_steps_the_app_renders_once_as_written",
    },
    "render/test_golden.py": ALL,
    "render/test_limits.py": {
        "a_component_too_large_for_cue_alone_is_a_size_limit_at_its_path",
        "a_looping_template_spends_the_budget_of_the_whole_render",
        "a_registry_import_is_located_in_its_definition",
        "a_template_parse_error_is_located_in_its_definition",
        "a_timed_out_parameter_schema_is_reported_not_swallowed",
        "components_beyond_one_chunk_render_the_same_objects",
    },
    "render/test_render.py": {
        "all_errors_reported_with_paths",
        "broken_yaml_template_is_reported_at_its_line",
        "cli_render_yaml_json_and_exit_codes",
        "cli_stdin_and_output_dir_is_all_or_nothing",
        "cluster_version_reaches_templates",
        "hostile_properties_arrive_verbatim",
        "labels_namespace_and_provenance",
        "processes_do_not_grow_with_components",
        "result_serialises",
        "template_error_names_definition_file_and_line",
    },
    "render/test_render_facts.py": ALL,
    "render/test_traits.py": ALL,
    "render/test_unknown_keys.py": {
        "cli_prints_warnings_and_exits_0",
        "one_warning_for_all_environments",
        "open_parameters_and_maps_are_exempt",
        "policy_properties_are_checked",
        "strict_library_option_raises_app_error",
        "strict_makes_each_an_error_reported_with_the_others",
        "typos_render_with_a_warning_each",
        "user_definition_closed_struct_is_an_error_once",
        "user_definition_open_at_the_top",
        "user_definition_with_the_real_cue",
    },
    "schema/test_agreement.py": ALL,
    "schema/test_docs.py": {
        "docs_of_user_definitions_only",
        "docs_writes_a_page_per_definition_and_an_index",
        "show_a_local_definition_with_imports",
        "show_markdown_matches_the_golden_page",
        "show_table_like_vela_show",
    },
    "schema/test_schema.py": {
        "bundled_schemas_cost_no_process_and_user_ones_one_in_all",
        "cli_schema_dialects_and_configmap",
        "cli_schema_of_a_local_file_and_all_to_a_folder",
        "conditional_requirement_names_its_condition",
        "export_schema_by_name_and_dialect",
        "export_schema_of_a_definition_object_with_a_broken_template",
        "other_components_still_render_so_every_error_is_found",
        "schema_problems_are_for_the_app_author_and_not_sent_to_cue",
        "stored_schemas_are_fresh",
        "unknown_property_of_a_closed_struct",
        "violations_are_reported_with_app_paths_and_rules",
    },
    "schema/test_schema_golden.py": ALL,
    "test_readme.py": {
        "console_examples",
        "python_examples",
    },
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/*/expected* from what the engine renders now")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs_cue: the test runs the cue CLI (skipped when it is missing)")
    # The CLI caches under the user's cache folder by default: keep the tests' out of $HOME,
    # and render afresh unless a test names a cache folder of its own (--cache-dir).
    os.environ["XDG_CACHE_HOME"] = _CACHE_HOME
    os.environ.setdefault("OAM_RENDER_NO_CACHE", "1")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_CACHE_HOME, ignore_errors=True)


def needs_cue(item: pytest.Item) -> bool:
    if item.get_closest_marker("needs_cue") is not None:
        return True
    module = Path(str(item.fspath)).resolve().relative_to(TESTS).as_posix()
    names = NEEDS_CUE.get(module, frozenset())
    name = getattr(item, "originalname", item.name)
    return names is ALL or name.removeprefix("test_") in names


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if shutil.which("cue") is not None:
        return
    skip = pytest.mark.skip(reason="runs the cue CLI, which is not on PATH (`make tools` installs it)")
    for item in items:
        if needs_cue(item):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
