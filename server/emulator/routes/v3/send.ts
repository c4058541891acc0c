import type { FastifyReply } from 'fastify'

/** Sends JSON as the exact string that gets signed (the onSend hook signs what goes on the wire). */
export const sendJson = (reply: FastifyReply, status: number, body: unknown) =>
  reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body))
