#!/usr/bin/python3
"""The notes application: notes kept in PostgreSQL, as JSON over HTTP on port 8080.

GET /health: 200 once the database answers. GET /notes: {"count": N, "notes": [...], "server": "17.x"}.
POST /notes: a JSON list of strings, each stored as a note; answers {"added": N}.
The database's password comes from the environment (NOTES_PASSWORD), never argv.
"""
import json
import sys
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2


def connect():
    return psycopg2.connect(host=os.environ.get('NOTES_DB_HOST', 'db'), dbname='notes', user='notes',
                            password=os.environ['NOTES_PASSWORD'], connect_timeout=5)


class Notes(BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up first (a probe's short timeout while the database was away): said, not a traceback.
            sys.stderr.write('client went away before the %d answer\n' % status)

    def do_GET(self):
        try:
            with connect() as db, db.cursor() as cur:
                cur.execute('CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, body text NOT NULL)')
                if self.path == '/health':
                    return self.answer(200, {'ok': True})
                if self.path != '/notes':
                    return self.answer(404, {'error': 'no such page: ' + self.path})
                cur.execute('SELECT body FROM notes ORDER BY id')
                notes = [row[0] for row in cur.fetchall()]
                cur.execute('SHOW server_version')
                server = cur.fetchone()[0].split(' ')[0]
                self.answer(200, {'count': len(notes), 'notes': notes, 'server': server})
        except psycopg2.Error as error:
            sys.stderr.write('database error: %s\n' % str(error).strip())
            self.answer(503, {'error': str(error).strip()})

    def do_POST(self):
        if self.path != '/notes':
            return self.answer(404, {'error': 'no such page: ' + self.path})
        try:
            notes = json.loads(self.rfile.read(int(self.headers.get('Content-Length', '0'))))
            if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
                return self.answer(400, {'error': 'a JSON list of strings'})
            with connect() as db, db.cursor() as cur:
                cur.execute('CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, body text NOT NULL)')
                for note in notes:
                    cur.execute('INSERT INTO notes (body) VALUES (%s)', (note,))
            self.answer(201, {'added': len(notes)})
        except (ValueError, psycopg2.Error) as error:
            sys.stderr.write('%s: %s\n' % ('bad request' if isinstance(error, ValueError) else 'database error', str(error).strip()))
            self.answer(400 if isinstance(error, ValueError) else 503, {'error': str(error).strip()})

    def log_message(self, format, *args):
        print('%s %s' % (self.address_string(), format % args), flush=True)


ThreadingHTTPServer(('0.0.0.0', 8080), Notes).serve_forever()
