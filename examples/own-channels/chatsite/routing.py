from django.urls import path

from chatsite import consumers

websocket_urlpatterns = [
    path("ws/chat/<slug:name>/", consumers.ChatConsumer.as_asgi()),
]
