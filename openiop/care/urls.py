from django.urls import path

from openiop.care.views import client, homework, plan

app_name = "care"
urlpatterns = [
    # Staff, one client's plan and homework
    path("clients/<int:client_id>/plan/", plan.plan, name="plan"),
    path("clients/<int:client_id>/plan/edit/", plan.plan_edit, name="plan_edit"),
    path("clients/<int:client_id>/plan/new-version/", plan.plan_new, name="plan_new"),
    path("clients/<int:client_id>/plan/sign/", plan.plan_sign, name="plan_sign"),
    path("clients/<int:client_id>/plan/history/", plan.plan_history, name="plan_history"),
    # Secondary ids ride in the query string, so every path here has the client id only.
    path("clients/<int:client_id>/plan/version/", plan.plan_version, name="plan_version"),
    path("clients/<int:client_id>/plan/review/", plan.plan_review, name="plan_review"),
    path("clients/<int:client_id>/plan/progress/", plan.goal_progress, name="goal_progress"),
    path("clients/<int:client_id>/homework/assign/", homework.assign, name="assign"),
    path("clients/<int:client_id>/homework/withdraw/", homework.withdraw, name="withdraw"),
    path(
        "clients/<int:client_id>/homework/answers/",
        homework.homework_detail,
        name="homework_detail",
    ),
    # Staff, the program's library
    path("care/library/", homework.library, name="library"),
    path("care/library/new/", homework.library_new, name="library_new"),
    path("care/library/<int:exercise_id>/retire/", homework.library_retire, name="library_retire"),
    # The client's own
    path("me/plan/", client.my_plan, name="my_plan"),
    path("me/homework/", client.my_homework, name="my_homework"),
    path("me/homework/<int:occurrence_id>/", client.my_homework_item, name="my_homework_item"),
]
