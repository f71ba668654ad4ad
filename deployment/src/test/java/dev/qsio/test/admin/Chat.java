package dev.qsio.test.admin;

import dev.qsio.OnEvent;
import dev.qsio.SocketIo;
import dev.qsio.SocketIoSocket;

/** The application the Admin UI watches: sockets that join rooms and set data. */
@SocketIo("/chat")
public class Chat {

    /** Hashes of {@code s3cret} made by Node's bcryptjs (the library Node's Admin UI uses), and by htpasswd -B. */
    public static final String HASH_2A = "$2a$10$5fkHP2Fj/TeuVMRPKgGrY.NEgV5inM4dURIvxjdfrFAO3.1FTYteK";

    @OnEvent("join")
    String join(SocketIoSocket socket, String room) {
        socket.join(room);
        return "joined";
    }

    @OnEvent("name")
    String name(SocketIoSocket socket, String name) {
        socket.data().put("name", name);
        return "named";
    }
}
