from openiop.conftest import World


def test_world_builds(world: World) -> None:
    assert world.alex.care_team.count() == 2
