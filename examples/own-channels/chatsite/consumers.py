"""A chat room: every message goes to every member, whichever replica holds their socket."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.group = f"chat.{self.scope['url_route']['kwargs']['name']}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        text = str(content.get("message", ""))[:1000]
        await self.channel_layer.group_send(self.group, {"type": "chat.message", "message": text})

    async def chat_message(self, event):
        await self.send_json({"message": event["message"]})
