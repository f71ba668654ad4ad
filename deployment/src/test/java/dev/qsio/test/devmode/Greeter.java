package dev.qsio.test.devmode;

import dev.qsio.OnEvent;
import dev.qsio.SocketIo;

@SocketIo("/")
public class Greeter {

    @OnEvent("greet")
    String greet() {
        return "hello v1";
    }
}
