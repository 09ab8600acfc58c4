<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es">
<context>
    <name>AddWidgetDialog</name>
    <message>
        <location filename="../AddWidgetDialog.qml" line="17"/>
        <source>Add a widget</source>
        <translation>Añadir un widget</translation>
    </message>
    <message>
        <location filename="../AddWidgetDialog.qml" line="86"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <location filename="../AddWidgetDialog.qml" line="89"/>
        <source>Add</source>
        <translation>Añadir</translation>
    </message>
    <message>
        <location filename="../AddWidgetDialog.qml" line="21"/>
        <source>Add %1</source>
        <translation>Añadir %1</translation>
    </message>
    <message>
        <location filename="../AddWidgetDialog.qml" line="89"/>
        <source>Kinds of widget</source>
        <translation>Tipos de widget</translation>
    </message>
    <message>
        <location filename="../AddWidgetDialog.qml" line="110"/>
        <source>%1, offered by %2</source>
        <translation>%1, ofrecido por %2</translation>
    </message>
    <message>
        <location filename="../AddWidgetDialog.qml" line="140"/>
        <source>Offered by %1</source>
        <translation>Ofrecido por %1</translation>
    </message>
    <message>
        <location filename="../AddWidgetDialog.qml" line="175"/>
        <source>Offered by %1. Its settings come from the agent.</source>
        <translation>Ofrecido por %1. Su configuración la pone el agente.</translation>
    </message>
    <message>
        <location filename="../AddWidgetDialog.qml" line="249"/>
        <source>Back</source>
        <translation>Atrás</translation>
    </message>
</context>
<context>
    <name>AlwaysOnScreenTile</name>
    <message>
        <location filename="../AlwaysOnScreenTile.qml" line="43"/>
        <source>Still running</source>
        <translation>Sigue en marcha</translation>
    </message>
    <message>
        <location filename="../AlwaysOnScreenTile.qml" line="49"/>
        <source>Return</source>
        <translation>Volver</translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message>
        <location filename="../AuditPage.qml" line="21"/>
        <source>Audit log</source>
        <translation>Registro de auditoría</translation>
    </message>
    <message>
        <location filename="../AuditPage.qml" line="25"/>
        <source>Verify chain</source>
        <translation>Verificar la cadena</translation>
    </message>
    <message>
        <location filename="../AuditPage.qml" line="56"/>
        <source>Widget</source>
        <translation>Widget</translation>
    </message>
    <message>
        <location filename="../AuditPage.qml" line="62"/>
        <source>Action</source>
        <translation>Acción</translation>
    </message>
    <message>
        <location filename="../AuditPage.qml" line="71"/>
        <source>Live</source>
        <translation>En vivo</translation>
    </message>
    <message>
        <location filename="../AuditPage.qml" line="128"/>
        <source>No audit rows match.</source>
        <translation>Ninguna fila del registro coincide.</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>Decisión</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../Composer.qml" line="42"/>
        <source>Message, or /widget https://… to add a widget</source>
        <translation>Mensaje, o /widget https://… para añadir un widget</translation>
    </message>
    <message>
        <location filename="../Composer.qml" line="43"/>
        <source>Choose a room</source>
        <translation>Elige una sala</translation>
    </message>
    <message>
        <location filename="../Composer.qml" line="38"/>
        <source>This room is end-to-end encrypted and Tessera cannot encrypt messages here, so it sends none; widgets can still be added.</source>
        <translation>Esta sala tiene cifrado de extremo a extremo y Tessera no puede cifrar mensajes aquí, así que no envía ninguno; sí se pueden añadir widgets.</translation>
    </message>
    <message>
        <location filename="../Composer.qml" line="50"/>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Mensaje</translation>
    </message>
</context>
<context>
    <name>ConsentDialog</name>
    <message>
        <location filename="../ConsentDialog.qml"/>
        <source>1 permission</source>
        <translation>1 permiso</translation>
    </message>
    <message>
        <location filename="../ConsentDialog.qml"/>
        <source>%1 permissions</source>
        <translation>%1 permisos</translation>
    </message>
    <message>
        <location filename="../ConsentDialog.qml"/>
        <source>Choose each</source>
        <translation>Elegir uno a uno</translation>
    </message>
    <message>
        <location filename="../ConsentDialog.qml"/>
        <source>Hide the choices</source>
        <translation>Ocultar la elección</translation>
    </message>
    <message>
        <location filename="../ConsentDialog.qml"/>
        <source>Approve all</source>
        <translation>Aprobar todo</translation>
    </message>
    <message>
        <location filename="../ConsentDialog.qml"/>
        <source>Approve %1 of %2</source>
        <translation>Aprobar %1 de %2</translation>
    </message>
    <message>
        <location filename="../ConsentDialog.qml" line="87"/>
        <source>Load “%1”?</source>
        <translation>¿Cargar «%1»?</translation>
    </message>
    <message>
        <location filename="../ConsentDialog.qml" line="88"/>
        <source>“%1” wants to confirm who you are</source>
        <translation>«%1» quiere confirmar quién eres</translation>
    </message>
    <message>
        <location filename="../ConsentDialog.qml" line="89"/>
        <source>“%1” wants to use a device</source>
        <translation>«%1» quiere usar un dispositivo</translation>
    </message>
    <message>
        <location filename="../ConsentDialog.qml" line="90"/>
        <source>“%1” asks for more permissions</source>
        <translation>«%1» pide más permisos</translation>
    </message>
    <message>
        <location filename="../ConsentDialog.qml" line="91"/>
        <source>“%1” would like to:</source>
        <translation>«%1» quiere:</translation>
    </message>
    <message>
        <location filename="../ConsentDialog.qml" line="99"/>
        <source>Added by %1</source>
        <translation>Añadido por %1</translation>
    </message>
    <message>
        <location filename="../ConsentDialog.qml" line="99"/>
        <source>someone</source>
        <translation>alguien</translation>
    </message>
    <message>
        <location filename="../ConsentDialog.qml" line="101"/>
        <source>(published by %1)</source>
        <translation>(publicado por %1)</translation>
    </message>
    <message>
        <location filename="../ConsentDialog.qml" line="234"/>
        <source>Remember my choice</source>
        <translation>Recordar mi decisión</translation>
    </message>
    <message>
        <location filename="../ConsentDialog.qml" line="242"/>
        <source>Hide details</source>
        <translation>Ocultar detalles</translation>
    </message>
    <message>
        <location filename="../ConsentDialog.qml" line="242"/>
        <source>Details</source>
        <translation>Detalles</translation>
    </message>
    <message>
        <location filename="../ConsentDialog.qml" line="248"/>
        <source>Deny all</source>
        <translation>Denegar todo</translation>
    </message>
    <message>
        <location filename="../ConsentDialog.qml" line="248"/>
        <source>Deny</source>
        <translation>Denegar</translation>
    </message>
    <message>
        <location filename="../ConsentDialog.qml" line="255"/>
        <source>Load</source>
        <translation>Cargar</translation>
    </message>
    <message>
        <location filename="../ConsentDialog.qml" line="255"/>
        <source>Approve</source>
        <translation>Aprobar</translation>
    </message>
    <message>
        <source>Tessera will refuse these by itself:</source>
        <translation>Tessera rechazará esto por su cuenta:</translation>
    </message>
    <message>
        <source>Will be refused: %1</source>
        <translation>Se rechazará: %1</translation>
    </message>
    <message>
        <source>Suspicious: it contains hidden characters, shown as ⟨U+…⟩. Allow it only if you expected them.</source>
        <translation>Sospechoso: contiene caracteres ocultos, mostrados como ⟨U+…⟩. Permítelo solo si los esperabas.</translation>
    </message>
</context>
<context>
    <name>ConnectionBanner</name>
    <message>
        <location filename="../ConnectionBanner.qml"/>
        <source>Offline: %1 Tessera keeps trying.</source>
        <translation>Sin conexión: %1 Tessera sigue intentándolo.</translation>
    </message>
    <message>
        <location filename="../ConnectionBanner.qml"/>
        <source>Offline. Tessera keeps trying.</source>
        <translation>Sin conexión. Tessera sigue intentándolo.</translation>
    </message>
    <message>
        <location filename="../ConnectionBanner.qml"/>
        <source>Connecting to your homeserver…</source>
        <translation>Conectando con tu servidor doméstico…</translation>
    </message>
    <message>
        <location filename="../ConnectionBanner.qml"/>
        <source>Retry now</source>
        <translation>Reintentar ahora</translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <location filename="../LoginPage.qml"/>
        <source>Sign in</source>
        <translation>Iniciar sesión</translation>
    </message>
    <message>
        <location filename="../LoginPage.qml"/>
        <source>Tessera will keep your session in the system keychain (or, without one, in a file only you can read).</source>
        <translation>Tessera guardará tu sesión en el llavero del sistema (o, si no hay ninguno, en un archivo que solo tú puedes leer).</translation>
    </message>
    <message>
        <location filename="../LoginPage.qml"/>
        <source>Homeserver</source>
        <translation>Servidor doméstico</translation>
    </message>
    <message>
        <location filename="../LoginPage.qml"/>
        <source>Continue</source>
        <translation>Continuar</translation>
    </message>
    <message>
        <location filename="../LoginPage.qml"/>
        <source>Server: %1</source>
        <translation>Servidor: %1</translation>
    </message>
    <message>
        <location filename="../LoginPage.qml"/>
        <source>Change</source>
        <translation>Cambiar</translation>
    </message>
    <message>
        <location filename="../LoginPage.qml"/>
        <source>User name</source>
        <translation>Nombre de usuario</translation>
    </message>
    <message>
        <location filename="../LoginPage.qml"/>
        <source>Password</source>
        <translation>Contraseña</translation>
    </message>
    <message>
        <location filename="../LoginPage.qml"/>
        <source>Or sign in on the server&apos;s own page in your web browser.</source>
        <translation>O inicia sesión en la página del propio servidor, en tu navegador web.</translation>
    </message>
    <message>
        <location filename="../LoginPage.qml"/>
        <source>This server signs you in on its own page, in your web browser.</source>
        <translation>Este servidor te pide iniciar sesión en su propia página, en tu navegador web.</translation>
    </message>
    <message>
        <location filename="../LoginPage.qml"/>
        <source>Continue in the browser</source>
        <translation>Continuar en el navegador</translation>
    </message>
    <message>
        <location filename="../LoginPage.qml"/>
        <source>Working</source>
        <translation>Trabajando</translation>
    </message>
    <message>
        <location filename="../LoginPage.qml"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <location filename="../LoginPage.qml"/>
        <source>Hide details</source>
        <translation>Ocultar detalles</translation>
    </message>
    <message>
        <location filename="../LoginPage.qml"/>
        <source>Show details</source>
        <translation>Mostrar detalles</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <location filename="../Main.qml" line="17"/>
        <source>%1 — Tessera</source>
        <translation>%1 — Tessera</translation>
    </message>
</context>
<context>
    <name>ModalWidgetDialog</name>
    <message>
        <location filename="../ModalWidgetDialog.qml" line="38"/>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
</context>
<context>
    <name>PageHeader</name>
    <message>
        <location filename="../PageHeader.qml" line="24"/>
        <source>Back</source>
        <translation>Atrás</translation>
    </message>
</context>
<context>
    <name>PermissionsPage</name>
    <message>
        <location filename="../PermissionsPage.qml"/>
        <source>Refused: </source>
        <translation>Denegado: </translation>
    </message>
    <message>
        <location filename="../PermissionsPage.qml"/>
        <source>Revoke all %1</source>
        <translation>Revocar los %1</translation>
    </message>
    <message>
        <location filename="../PermissionsPage.qml" line="20"/>
        <source>Permissions</source>
        <translation>Permisos</translation>
    </message>
    <message>
        <location filename="../PermissionsPage.qml" line="32"/>
        <source>Standing rules</source>
        <translation>Reglas permanentes</translation>
    </message>
    <message>
        <location filename="../PermissionsPage.qml" line="44"/>
        <source>Rules grant without asking. Every grant they make is written to the audit log.</source>
        <translation>Las reglas conceden sin preguntar. Cada concesión queda escrita en el registro de auditoría.</translation>
    </message>
    <message>
        <location filename="../PermissionsPage.qml" line="60"/>
        <source>Remove</source>
        <translation>Quitar</translation>
    </message>
    <message>
        <location filename="../PermissionsPage.qml" line="74"/>
        <source>Trust widgets I add</source>
        <translation>Confiar en los widgets que añado</translation>
    </message>
    <message>
        <location filename="../PermissionsPage.qml" line="82"/>
        <source>@agent:example.org</source>
        <translation>@agente:example.org</translation>
    </message>
    <message>
        <location filename="../PermissionsPage.qml" line="85"/>
        <source>Trust this agent</source>
        <translation>Confiar en este agente</translation>
    </message>
    <message>
        <source>https://call.example.org</source>
        <translation>https://llamadas.example.org</translation>
    </message>
    <message>
        <source>Address of your call service</source>
        <translation>Dirección de tu servicio de llamadas</translation>
    </message>
    <message>
        <source>Trust this call service</source>
        <translation>Confiar en este servicio de llamadas</translation>
    </message>
    <message>
        <source>Trust this call service?</source>
        <translation>¿Confiar en este servicio de llamadas?</translation>
    </message>
    <message>
        <source>Call widgets served from exactly %1 will get what a call needs in their room without asking you: joining and leaving the call, seeing who is in it, its signalling and encryption keys, and staying on screen. Anything else they ask for is still asked.</source>
        <translation>Los widgets de llamada servidos exactamente desde %1 recibirán lo que una llamada necesita en su sala sin preguntarte: unirse a la llamada y salir de ella, ver quién está en ella, su señalización y sus claves de cifrado, y seguir en pantalla. Todo lo demás que pidan se sigue preguntando.</translation>
    </message>
    <message>
        <location filename="../PermissionsPage.qml" line="102"/>
        <source>Remembered decisions</source>
        <translation>Decisiones recordadas</translation>
    </message>
    <message>
        <location filename="../PermissionsPage.qml" line="110"/>
        <source>Nothing remembered yet.</source>
        <translation>Todavía no hay nada recordado.</translation>
    </message>
    <message>
        <location filename="../PermissionsPage.qml" line="159"/>
        <source>Revoke</source>
        <translation>Revocar</translation>
    </message>
    <message>
        <source>Hide ids</source>
        <translation>Ocultar ids</translation>
    </message>
    <message>
        <source>Show ids</source>
        <translation>Mostrar ids</translation>
    </message>
    <message>
        <source>Remove the rule “%1”</source>
        <translation>Quitar la regla «%1»</translation>
    </message>
    <message>
        <source>Matrix user id of the agent to trust</source>
        <translation>Id de usuario de Matrix del agente en el que confiar</translation>
    </message>
    <message>
        <source>Suspicious: it contains hidden characters, shown as ⟨U+…⟩.</source>
        <translation>Sospechoso: contiene caracteres ocultos, mostrados como ⟨U+…⟩.</translation>
    </message>
    <message>
        <source>“%1”</source>
        <comment>a widget&apos;s name</comment>
        <translation>«%1»</translation>
    </message>
    <message>
        <source>in %1</source>
        <translation>en %1</translation>
    </message>
    <message>
        <source>widget %1</source>
        <translation>widget %1</translation>
    </message>
    <message>
        <source>room %1</source>
        <translation>sala %1</translation>
    </message>
    <message>
        <source>Trust widgets you add?</source>
        <translation>¿Confiar en los widgets que añades?</translation>
    </message>
    <message>
        <source>Trust this agent?</source>
        <translation>¿Confiar en este agente?</translation>
    </message>
    <message>
        <source>Widgets you add to a room yourself will get the capabilities they ask for without asking you.</source>
        <translation>Los widgets que tú mismo añadas a una sala obtendrán las capacidades que pidan sin preguntarte.</translation>
    </message>
    <message>
        <source>Widgets that %1 adds to a room will load and get the capabilities they ask for without asking you.</source>
        <translation>Los widgets que %1 añada a una sala se cargarán y obtendrán las capacidades que pidan sin preguntarte.</translation>
    </message>
    <message>
        <source>Your identity, camera, microphone and location are still asked for each time.</source>
        <translation>Tu identidad, la cámara, el micrófono y la ubicación se siguen preguntando cada vez.</translation>
    </message>
    <message>
        <source>Every grant is written to the audit log, and you can remove the rule here at any time.</source>
        <translation>Cada permiso concedido queda en el registro de auditoría, y puedes quitar la regla aquí cuando quieras.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>PluginsPage</name>
    <message>
        <location filename="../PluginsPage.qml" line="19"/>
        <source>Running</source>
        <translation>En marcha</translation>
    </message>
    <message>
        <location filename="../PluginsPage.qml" line="20"/>
        <source>Not loaded</source>
        <translation>Sin cargar</translation>
    </message>
    <message>
        <location filename="../PluginsPage.qml" line="21"/>
        <source>Failed</source>
        <translation>Falló</translation>
    </message>
    <message>
        <location filename="../PluginsPage.qml" line="22"/>
        <source>Stopped after failing</source>
        <translation>Detenido tras fallar</translation>
    </message>
    <message>
        <location filename="../PluginsPage.qml" line="23"/>
        <source>Stopped</source>
        <translation>Detenido</translation>
    </message>
    <message>
        <location filename="../PluginsPage.qml" line="24"/>
        <source>Found</source>
        <translation>Encontrado</translation>
    </message>
    <message>
        <location filename="../PluginsPage.qml" line="29"/>
        <source>installed with Tessera</source>
        <translation>instalado con Tessera</translation>
    </message>
    <message>
        <location filename="../PluginsPage.qml" line="30"/>
        <source>third-party</source>
        <translation>de terceros</translation>
    </message>
    <message>
        <location filename="../PluginsPage.qml" line="31"/>
        <source>from TESSERA_PLUGIN_PATH</source>
        <translation>de TESSERA_PLUGIN_PATH</translation>
    </message>
    <message>
        <location filename="../PluginsPage.qml" line="32"/>
        <source>from --plugins-dir</source>
        <translation>de --plugins-dir</translation>
    </message>
    <message>
        <location filename="../PluginsPage.qml" line="40"/>
        <source>Plugins</source>
        <translation>Complementos</translation>
    </message>
    <message>
        <location filename="../PluginsPage.qml" line="53"/>
        <source>Restart Tessera to apply your changes: plugins are loaded when it starts.</source>
        <translation>Reinicia Tessera para aplicar tus cambios: los complementos se cargan al arrancar.</translation>
    </message>
    <message>
        <location filename="../PluginsPage.qml" line="82"/>
        <source>Third-party plugins</source>
        <translation>Complementos de terceros</translation>
    </message>
    <message>
        <location filename="../PluginsPage.qml" line="91"/>
        <source>Load third-party plugins</source>
        <translation>Cargar complementos de terceros</translation>
    </message>
    <message>
        <location filename="../PluginsPage.qml" line="97"/>
        <source>Plugins you put in %1 are third-party: native code that runs with your rights. They load only when this is on, or when Tessera starts with --user-plugins.</source>
        <translation>Los complementos que pongas en %1 son de terceros: código nativo que se ejecuta con tus permisos. Solo se cargan si esto está activado o si Tessera arranca con --user-plugins.</translation>
    </message>
    <message>
        <location filename="../PluginsPage.qml" line="108"/>
        <source>On for this session: Tessera was started with --user-plugins.</source>
        <translation>Activado en esta sesión: Tessera se inició con --user-plugins.</translation>
    </message>
    <message>
        <location filename="../PluginsPage.qml" line="147"/>
        <source>Load %1</source>
        <translation>Cargar %1</translation>
    </message>
    <message>
        <location filename="../PluginsPage.qml" line="160"/>
        <source>Version %1 · ABI %2 · %3 · %4</source>
        <translation>Versión %1 · ABI %2 · %3 · %4</translation>
    </message>
    <message>
        <location filename="../PluginsPage.qml" line="191"/>
        <source>No plugins found.</source>
        <translation>No se encontraron complementos.</translation>
    </message>
</context>
<context>
    <name>PopupPrompt</name>
    <message>
        <location filename="../PopupPrompt.qml" line="18"/>
        <source>Open a link in your browser?</source>
        <translation>¿Abrir un enlace en tu navegador?</translation>
    </message>
    <message>
        <location filename="../PopupPrompt.qml" line="43"/>
        <source>A widget wants to open a page of this site in a new window:</source>
        <translation>Un widget quiere abrir una página de este sitio en una ventana nueva:</translation>
    </message>
    <message>
        <location filename="../PopupPrompt.qml" line="61"/>
        <source>The name of this site is written in another alphabet and is shown as the browser reads it (xn--…). Letters from other alphabets can look like the ones of a site you know.</source>
        <translation>El nombre de este sitio está escrito en otro alfabeto y se muestra tal como lo lee el navegador (xn--…). Las letras de otros alfabetos pueden parecerse a las de un sitio que conoces.</translation>
    </message>
    <message>
        <location filename="../PopupPrompt.qml" line="67"/>
        <source>Full address:</source>
        <translation>Dirección completa:</translation>
    </message>
    <message>
        <location filename="../PopupPrompt.qml" line="49"/>
        <source>Don&apos;t open</source>
        <translation>No abrir</translation>
    </message>
    <message>
        <location filename="../PopupPrompt.qml" line="54"/>
        <source>Open in browser</source>
        <translation>Abrir en el navegador</translation>
    </message>
    <message>
        <source>Open this widget in your browser?</source>
        <translation>¿Abrir este widget en tu navegador?</translation>
    </message>
    <message>
        <source>“%1” will open outside Tessera, in your web browser, at this site:</source>
        <translation>«%1» se abrirá fuera de Tessera, en tu navegador web, en este sitio:</translation>
    </message>
</context>
<context>
    <name>RoomList</name>
    <message>
        <location filename="../RoomList.qml"/>
        <source>%1, in call</source>
        <translation>%1, en llamada</translation>
    </message>
    <message>
        <location filename="../RoomList.qml"/>
        <source>● In call</source>
        <translation>● En llamada</translation>
    </message>
    <message>
        <location filename="../RoomList.qml" line="117"/>
        <source>Security</source>
        <translation>Seguridad</translation>
    </message>
    <message>
        <location filename="../RoomList.qml"/>
        <source>Accept</source>
        <translation>Aceptar</translation>
    </message>
    <message>
        <location filename="../RoomList.qml"/>
        <source>Decline</source>
        <translation>Rechazar</translation>
    </message>
    <message>
        <location filename="../RoomList.qml" line="44"/>
        <source>Rooms</source>
        <translation>Salas</translation>
    </message>
    <message>
        <location filename="../RoomList.qml" line="91"/>
        <source>Invitation</source>
        <translation>Invitación</translation>
    </message>
    <message>
        <location filename="../RoomList.qml" line="105"/>
        <source>No rooms yet</source>
        <translation>Todavía no hay salas</translation>
    </message>
    <message>
        <location filename="../RoomList.qml" line="114"/>
        <source>Permissions</source>
        <translation>Permisos</translation>
    </message>
    <message>
        <location filename="../RoomList.qml" line="115"/>
        <source>Audit log</source>
        <translation>Registro de auditoría</translation>
    </message>
    <message>
        <location filename="../RoomList.qml" line="116"/>
        <source>Plugins</source>
        <translation>Complementos</translation>
    </message>
    <message>
        <location filename="../RoomList.qml" line="117"/>
        <source>Settings</source>
        <translation>Ajustes</translation>
    </message>
    <message>
        <source>%1, invitation</source>
        <translation>%1, invitación</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <source>Open with its widgets</source>
        <translation>Abrir con sus widgets</translation>
    </message>
    <message>
        <source>Accept the invitation</source>
        <translation>Aceptar la invitación</translation>
    </message>
    <message>
        <source>Decline the invitation</source>
        <translation>Rechazar la invitación</translation>
    </message>
    <message>
        <source>Copy the room ID</source>
        <translation>Copiar el ID de la sala</translation>
    </message>
</context>
<context>
    <name>RoomView</name>
    <message>
        <location filename="../RoomView.qml" line="96"/>
        <source>%1 unverified</source>
        <translation>%1 sin verificar</translation>
    </message>
    <message>
        <location filename="../RoomView.qml" line="100"/>
        <source>%1 devices in this room are not verified; open the Security page</source>
        <translation>%1 dispositivos de esta sala no están verificados; abrir la página de Seguridad</translation>
    </message>
    <message>
        <location filename="../RoomView.qml"/>
        <source>Accept</source>
        <translation>Aceptar</translation>
    </message>
    <message>
        <location filename="../RoomView.qml"/>
        <source>Decline</source>
        <translation>Rechazar</translation>
    </message>
    <message>
        <location filename="../RoomView.qml"/>
        <source>Join to read the room and send messages, or decline the invitation.</source>
        <translation>Entra para leer la sala y enviar mensajes, o rechaza la invitación.</translation>
    </message>
    <message>
        <location filename="../RoomView.qml"/>
        <source>Waiting for the server…</source>
        <translation>Esperando al servidor…</translation>
    </message>
    <message>
        <location filename="../RoomView.qml"/>
        <source>You are invited to %1.</source>
        <translation>Te han invitado a %1.</translation>
    </message>
    <message>
        <location filename="../RoomView.qml" line="31"/>
        <source>Rooms</source>
        <translation>Salas</translation>
    </message>
    <message>
        <location filename="../RoomView.qml" line="40"/>
        <source>No room selected</source>
        <translation>Ninguna sala seleccionada</translation>
    </message>
    <message>
        <location filename="../RoomView.qml" line="77"/>
        <source>End-to-end encrypted</source>
        <translation>Cifrada de extremo a extremo</translation>
    </message>
    <message>
        <location filename="../RoomView.qml" line="63"/>
        <source>Widgets</source>
        <translation>Widgets</translation>
    </message>
    <message>
        <location filename="../RoomView.qml" line="65"/>
        <source>Show or hide the widget panel</source>
        <translation>Mostrar u ocultar el panel de widgets</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../SettingsPage.qml"/>
        <source>Jitsi Meet server</source>
        <translation>Servidor de Jitsi Meet</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml"/>
        <source>New Jitsi Meet widgets, and Jitsi when a call cannot work, open their conference on this server.</source>
        <translation>Los widgets nuevos de Jitsi Meet, y Jitsi cuando una llamada no puede funcionar, abren su conferencia en este servidor.</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml"/>
        <source>Saved: new Jitsi widgets use %1.</source>
        <translation>Guardado: los widgets nuevos de Jitsi usan %1.</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml"/>
        <source>Account</source>
        <translation>Cuenta</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml"/>
        <source>Signed in as %1</source>
        <translation>Sesión iniciada como %1</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml"/>
        <source>Manage your account…</source>
        <translation>Gestionar tu cuenta…</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml"/>
        <source>Sign out…</source>
        <translation>Cerrar sesión…</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml" line="18"/>
        <source>Settings</source>
        <translation>Ajustes</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml" line="22"/>
        <source>Theme</source>
        <translation>Tema</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml" line="26"/>
        <source>Follow the system</source>
        <translation>Seguir al sistema</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml" line="26"/>
        <source>Light</source>
        <translation>Claro</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml" line="26"/>
        <source>Dark</source>
        <translation>Oscuro</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml" line="35"/>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml" line="42"/>
        <source>A change of language applies to Tessera&apos;s own texts after a restart; widgets are told at once.</source>
        <translation>El cambio de idioma se aplica a los textos de Tessera tras reiniciar; los widgets lo reciben al momento.</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml" line="47"/>
        <source>About Tessera</source>
        <translation>Acerca de Tessera</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml" line="51"/>
        <source>Tessera %1 on Qt %2, with Qt WebEngine %3 (Chromium %4)</source>
        <translation>Tessera %1 sobre Qt %2, con Qt WebEngine %3 (Chromium %4)</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml" line="60"/>
        <source>Widgets written for Chromium %1 or later may not display as they should on this engine.</source>
        <translation>Los widgets escritos para Chromium %1 o posterior pueden no verse como deberían con este motor.</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml"/>
        <source>Sign-in in the browser</source>
        <translation>Inicio de sesión en el navegador</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml"/>
        <source>The client id was given with --oauth-client-id.</source>
        <translation>El identificador de cliente se dio con --oauth-client-id.</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml"/>
        <source>If your server&apos;s administrators registered Tessera, give the client id they gave you; leave it empty and Tessera registers itself. It is used from the next sign-in on.</source>
        <translation>Si los administradores de tu servidor registraron Tessera, escribe el identificador de cliente que te dieron; déjalo vacío y Tessera se registra por sí mismo. Se usa a partir del próximo inicio de sesión.</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml"/>
        <source>Client id</source>
        <translation>Identificador de cliente</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml"/>
        <source>OAuth client id</source>
        <translation>Identificador de cliente OAuth</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml"/>
        <source>Save</source>
        <translation>Guardar</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml"/>
        <source>Saved: the next sign-in uses this client id.</source>
        <translation>Guardado: el próximo inicio de sesión usa este identificador de cliente.</translation>
    </message>
    <message>
        <location filename="../SettingsPage.qml"/>
        <source>Saved: Tessera registers itself at the next sign-in.</source>
        <translation>Guardado: Tessera se registra por sí mismo en el próximo inicio de sesión.</translation>
    </message>
</context>
<context>
    <name>SignOutDialog</name>
    <message>
        <location filename="../SignOutDialog.qml"/>
        <source>Sign out?</source>
        <translation>¿Cerrar sesión?</translation>
    </message>
    <message>
        <location filename="../SignOutDialog.qml"/>
        <source>Tessera asks the server to revoke this session and deletes its keys to your account from this computer.</source>
        <translation>Tessera pide al servidor que revoque esta sesión y borra de este equipo sus llaves de acceso a tu cuenta.</translation>
    </message>
    <message>
        <location filename="../SignOutDialog.qml"/>
        <source>Tessera tells the server to end this session and deletes its key to your account from this computer.</source>
        <translation>Tessera pide al servidor que termine esta sesión y borra de este equipo su llave de acceso a tu cuenta.</translation>
    </message>
    <message>
        <location filename="../SignOutDialog.qml"/>
        <source>Keep my rooms and unsent messages on this computer for the next sign-in</source>
        <translation>Conservar mis salas y los mensajes sin enviar en este equipo para el próximo inicio de sesión</translation>
    </message>
    <message>
        <location filename="../SignOutDialog.qml"/>
        <source>The audit log always stays.</source>
        <translation>El registro de auditoría se conserva siempre.</translation>
    </message>
    <message>
        <location filename="../SignOutDialog.qml"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <location filename="../SignOutDialog.qml"/>
        <source>Sign out</source>
        <translation>Cerrar sesión</translation>
    </message>
</context>
<context>
    <name>Timeline</name>
    <message>
        <location filename="../Timeline.qml"/>
        <source>Delete</source>
        <translation>Eliminar</translation>
    </message>
    <message>
        <location filename="../Timeline.qml"/>
        <source>Retry</source>
        <translation>Reintentar</translation>
    </message>
    <message>
        <location filename="../Timeline.qml"/>
        <source>Not sent: %1</source>
        <translation>No enviado: %1</translation>
    </message>
    <message>
        <location filename="../Timeline.qml"/>
        <source>Sending…</source>
        <translation>Enviando…</translation>
    </message>
    <message>
        <location filename="../Timeline.qml"/>
        <source>Try again</source>
        <translation>Reintentar</translation>
    </message>
    <message>
        <location filename="../Timeline.qml"/>
        <source>Older messages could not be loaded: %1</source>
        <translation>No se pudieron cargar los mensajes anteriores: %1</translation>
    </message>
    <message>
        <location filename="../Timeline.qml" line="93"/>
        <source>No messages yet</source>
        <translation>Todavía no hay mensajes</translation>
    </message>
    <message>
        <source>Copy the text</source>
        <translation>Copiar el texto</translation>
    </message>
    <message>
        <source>Try sending again</source>
        <translation>Volver a intentar el envío</translation>
    </message>
    <message>
        <source>Delete the unsent message</source>
        <translation>Eliminar el mensaje no enviado</translation>
    </message>
</context>
<context>
    <name>WidgetPanel</name>
    <message>
        <location filename="../WidgetPanel.qml"/>
        <source>Call service unavailable — use Jitsi instead?</source>
        <translation>Servicio de llamadas no disponible: ¿usar Jitsi en su lugar?</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml"/>
        <source>Not now</source>
        <translation>Ahora no</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml"/>
        <source>Use Jitsi</source>
        <translation>Usar Jitsi</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml"/>
        <source>%1, in call</source>
        <translation>%1, en llamada</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml"/>
        <source>In call</source>
        <translation>En llamada</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml"/>
        <source>Leave the call</source>
        <translation>Salir de la llamada</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="163"/>
        <source>1 widget of this room could not be read</source>
        <translation>1 widget de esta sala no se pudo leer</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="164"/>
        <source>%1 widgets of this room could not be read</source>
        <translation>%1 widgets de esta sala no se pudieron leer</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="172"/>
        <source>Hide</source>
        <translation>Ocultar</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="172"/>
        <source>Why?</source>
        <translation>¿Por qué?</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="182"/>
        <source>%1 (sent by %2): %3</source>
        <translation>%1 (enviado por %2): %3</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="193"/>
        <source>and %1 more</source>
        <translation>y %1 más</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="51"/>
        <source>Back to the room</source>
        <translation>Volver a la sala</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="152"/>
        <source>Add a widget</source>
        <translation>Añadir un widget</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="130"/>
        <source>%1 more</source>
        <translation>%1 más</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="132"/>
        <source>Find one of this room&apos;s other widgets</source>
        <translation>Buscar entre los demás widgets de esta sala</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="292"/>
        <source>Widgets of this room</source>
        <translation>Widgets de esta sala</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="303"/>
        <source>Search by name</source>
        <translation>Buscar por nombre</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="309"/>
        <source>No widget matches “%1”.</source>
        <translation>Ningún widget coincide con «%1».</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="310"/>
        <source>%1 of %2 widgets</source>
        <translation>%1 de %2 widgets</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="160"/>
        <location filename="../WidgetPanel.qml" line="242"/>
        <source>Reload</source>
        <translation>Recargar</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="184"/>
        <location filename="../WidgetPanel.qml" line="265"/>
        <source>Open in your browser</source>
        <translation>Abrir en tu navegador</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="194"/>
        <source>Leave full screen</source>
        <translation>Salir de pantalla completa</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="194"/>
        <source>Full screen</source>
        <translation>Pantalla completa</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="201"/>
        <source>More</source>
        <translation>Más</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="208"/>
        <source>Hide the panel</source>
        <translation>Ocultar el panel</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="239"/>
        <source>No widgets in this room</source>
        <translation>No hay widgets en esta sala</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="246"/>
        <source>Add one with + or type /widget https://… in the composer.</source>
        <translation>Añade uno con + o escribe /widget https://… en el cuadro de mensaje.</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="271"/>
        <source>Remove for everyone…</source>
        <translation>Quitar para todos…</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="285"/>
        <source>Remove this widget?</source>
        <translation>¿Quitar este widget?</translation>
    </message>
    <message>
        <location filename="../WidgetPanel.qml" line="290"/>
        <source>“%1” will be removed from the room for everyone.</source>
        <translation>«%1» se quitará de la sala para todos.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Remove for everyone</source>
        <translation>Quitar para todos</translation>
    </message>
    <message>
        <source>Earlier tabs</source>
        <translation>Pestañas anteriores</translation>
    </message>
    <message>
        <source>Later tabs</source>
        <translation>Pestañas siguientes</translation>
    </message>
</context>
<context>
    <name>WidgetStatePage</name>
    <message>
        <location filename="../WidgetStatePage.qml" line="36"/>
        <source>Loading “%1”…</source>
        <translation>Cargando «%1»…</translation>
    </message>
    <message>
        <location filename="../WidgetStatePage.qml" line="37"/>
        <source>You chose not to load this widget</source>
        <translation>Elegiste no cargar este widget</translation>
    </message>
    <message>
        <location filename="../WidgetStatePage.qml" line="58"/>
        <source>Added by %1 · %2</source>
        <translation>Añadido por %1 · %2</translation>
    </message>
    <message>
        <location filename="../WidgetStatePage.qml" line="64"/>
        <source>Ask me again</source>
        <translation>Volver a preguntarme</translation>
    </message>
    <message>
        <location filename="../WidgetStatePage.qml" line="64"/>
        <source>Try again</source>
        <translation>Reintentar</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>Recargar</translation>
    </message>
    <message>
        <source>Hide details</source>
        <translation>Ocultar detalles</translation>
    </message>
    <message>
        <source>Show details</source>
        <translation>Mostrar detalles</translation>
    </message>
</context>
<context>
    <name>WidgetView</name>
    <message>
        <location filename="../WidgetView.qml" line="101"/>
        <source>The widget&apos;s secure connection failed</source>
        <translation>La conexión segura del widget falló</translation>
    </message>
    <message>
        <location filename="../WidgetView.qml" line="105"/>
        <source>The widget stopped working</source>
        <translation>El widget dejó de funcionar</translation>
    </message>
    <message>
        <location filename="../WidgetView.qml" line="105"/>
        <source>Its page crashed (exit code %1). Reload to try again.</source>
        <translation>Su página se cerró inesperadamente (código %1). Recárgalo para intentarlo de nuevo.</translation>
    </message>
    <message>
        <location filename="../WidgetView.qml" line="110"/>
        <source>The widget could not start</source>
        <translation>El widget no pudo iniciarse</translation>
    </message>
</context>
<context>
    <name>tessera::app::Startup</name>
    <message>
        <location filename="../../host/app/startup.cpp"/>
        <source>Tessera sign-in</source>
        <translation>Inicio de sesión de Tessera</translation>
    </message>
    <message>
        <location filename="../../host/app/startup.cpp"/>
        <source>Go back to Tessera: it shows whether the sign-in worked. You can close this page.</source>
        <translation>Vuelve a Tessera: allí verás si el inicio de sesión funcionó. Puedes cerrar esta página.</translation>
    </message>
    <message>
        <location filename="../../host/app/startup.cpp" line="190"/>
        <source>Welcome to Tessera</source>
        <translation>Bienvenida a Tessera</translation>
    </message>
    <message>
        <location filename="../../host/app/startup.cpp" line="232"/>
        <source>Widgets running on this computer: no server, no account needed.</source>
        <translation>Widgets que funcionan en este equipo: sin servidor y sin cuenta.</translation>
    </message>
    <message>
        <location filename="../../host/app/startup.cpp" line="233"/>
        <source>Welcome to Tessera! The widgets of this room run locally; what they send stays in this room on your computer. Open one from the widget panel to try it.</source>
        <translation>¡Te damos la bienvenida a Tessera! Los widgets de esta sala funcionan en local: lo que envían se queda en esta sala, en tu equipo. Abre uno desde el panel de widgets para probarlo.</translation>
    </message>
    <message>
        <location filename="../../host/app/startup.cpp" line="237"/>
        <source>Welcome</source>
        <comment>the welcome widget&apos;s tab</comment>
        <translation>Bienvenida</translation>
    </message>
    <message>
        <location filename="../../host/app/startup.cpp" line="353"/>
        <source>The plugin %1 stopped working and was turned off: %2</source>
        <translation>El complemento %1 dejó de funcionar y se desactivó: %2</translation>
    </message>
    <message>
        <location filename="../../host/app/startup.cpp" line="380"/>
        <source>Local rooms on this computer</source>
        <translation>Salas locales en este equipo</translation>
    </message>
    <message>
        <location filename="../../host/app/startup.cpp" line="330"/>
        <source>Other users of this computer could read Tessera&apos;s data folder. It is now private to you.</source>
        <translation>Otros usuarios de este equipo podían leer la carpeta de datos de Tessera. Ahora solo tú puedes acceder a ella.</translation>
    </message>
    <message>
        <location filename="../../host/app/startup.cpp" line="494"/>
        <source>This web engine is Chromium %1, older than the Chromium %2 today&apos;s widgets are written for: some widgets may not display as they should.</source>
        <translation>Este motor web es Chromium %1, anterior al Chromium %2 para el que se escriben los widgets de hoy: algunos widgets pueden no verse como deberían.</translation>
    </message>
</context>
<context>
    <name>tessera::ui::AccountController</name>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>The server did not answer in time.</source>
        <translation>El servidor no respondió a tiempo.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>The server&apos;s security certificate could not be verified (TLS error).</source>
        <translation>No se pudo verificar el certificado de seguridad del servidor (error de TLS).</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>Tessera cannot connect to this server. Check the address and your network.</source>
        <translation>Tessera no puede conectarse con este servidor. Comprueba la dirección y tu red.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>This address does not answer like a Matrix server.</source>
        <translation>Esta dirección no responde como un servidor Matrix.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>The server&apos;s sign-in service does not match what the server names, so Tessera did not use it.</source>
        <translation>El servicio de inicio de sesión no coincide con el que nombra el servidor, así que Tessera no lo usó.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>The answer from the browser did not belong to this sign-in and was refused. Start again.</source>
        <translation>La respuesta del navegador no correspondía a este inicio de sesión y se rechazó. Empieza de nuevo.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>The sign-in was declined in the browser.</source>
        <translation>El inicio de sesión se rechazó en el navegador.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>No web browser could be started for the sign-in.</source>
        <translation>No se pudo abrir ningún navegador web para iniciar sesión.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>The sign-in in the browser took too long. Start again.</source>
        <translation>El inicio de sesión en el navegador tardó demasiado. Empieza de nuevo.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>The server refused to complete this sign-in. Start again.</source>
        <translation>El servidor se negó a completar este inicio de sesión. Empieza de nuevo.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>The user name or password is not right.</source>
        <translation>El nombre de usuario o la contraseña no son correctos.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>The sign-in failed.</source>
        <translation>No se pudo iniciar sesión.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>Enter the address of your homeserver.</source>
        <translation>Escribe la dirección de tu servidor doméstico.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>Contacting %1…</source>
        <translation>Contactando con %1…</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>Enter your user name and your password.</source>
        <translation>Escribe tu nombre de usuario y tu contraseña.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>Signing in…</source>
        <translation>Iniciando sesión…</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>Finish signing in in your web browser. Tessera is waiting for it.</source>
        <translation>Termina de iniciar sesión en tu navegador web. Tessera lo está esperando.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>Your session on this server ended. Sign in again as %1 to continue; your rooms stay on this computer.</source>
        <translation>Tu sesión en este servidor terminó. Vuelve a iniciar sesión como %1 para continuar; tus salas siguen en este equipo.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>The server ended your session, so Tessera signed you out and deleted its copy of your rooms. Reason: %1</source>
        <translation>El servidor terminó tu sesión, así que Tessera cerró la sesión y borró su copia de tus salas. Motivo: %1</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>Messages that were not sent yet and were discarded: %1.</source>
        <translation>Mensajes que aún no se habían enviado y se descartaron: %1.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>You signed out. Your rooms stay on this computer for the next time you sign in.</source>
        <translation>Cerraste la sesión. Tus salas siguen en este equipo para la próxima vez que inicies sesión.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>You signed out. Tessera deleted its copy of your rooms.</source>
        <translation>Cerraste la sesión. Tessera borró su copia de tus salas.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>Not everything could be deleted: %1</source>
        <translation>No se pudo borrar todo: %1</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>This server gives no account management page.</source>
        <translation>Este servidor no ofrece una página para gestionar la cuenta.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>Local rooms need no sign-in.</source>
        <translation>Las salas locales no necesitan iniciar sesión.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>The client id was given with --oauth-client-id and cannot be changed here.</source>
        <translation>El identificador de cliente se dio con --oauth-client-id y no se puede cambiar aquí.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>A client id has at most %1 characters.</source>
        <translation>Un identificador de cliente tiene como máximo %1 caracteres.</translation>
    </message>
    <message>
        <location filename="../../host/ui/accountcontroller.cpp"/>
        <source>A client id has only visible ASCII characters (no spaces).</source>
        <translation>Un identificador de cliente solo tiene caracteres ASCII visibles (sin espacios).</translation>
    </message>
    <message>
        <source>The server&apos;s answer was larger than Tessera accepts.</source>
        <translation>La respuesta del servidor era más grande de lo que Tessera acepta.</translation>
    </message>
    <message>
        <source>You are signed in. Without a system keychain, Tessera keeps your sign-in in files only you can read; anyone who can read them can use your account.</source>
        <translation>Has iniciado sesión. Sin un llavero del sistema, Tessera guarda tu sesión en archivos que solo tú puedes leer; quien pueda leerlos puede usar tu cuenta.</translation>
    </message>
</context>
<context>
    <name>tessera::ui::AuditModel</name>
    <message>
        <location filename="../../host/ui/pagemodels.cpp" line="242"/>
        <source>Cannot open the audit log: %1</source>
        <translation>No se puede abrir el registro de auditoría: %1</translation>
    </message>
    <message>
        <location filename="../../host/ui/pagemodels.cpp" line="245"/>
        <source>Verification could not run: %1</source>
        <translation>La verificación no pudo ejecutarse: %1</translation>
    </message>
    <message>
        <location filename="../../host/ui/pagemodels.cpp" line="248"/>
        <source>The chain is broken at row %1: %2 (%3 rows with problems)</source>
        <translation>La cadena está rota en la fila %1: %2 (%3 filas con problemas)</translation>
    </message>
    <message>
        <location filename="../../host/ui/pagemodels.cpp" line="254"/>
        <source>All %1 rows verified (rows %2 to %3); nothing was edited or removed.</source>
        <translation>Las %1 filas están verificadas (filas %2 a %3); nada se editó ni se quitó.</translation>
    </message>
    <message>
        <source>allowed</source>
        <comment>audit decision</comment>
        <translation>permitido</translation>
    </message>
    <message>
        <source>refused</source>
        <comment>audit decision</comment>
        <translation>rechazado</translation>
    </message>
    <message>
        <source>dropped</source>
        <comment>audit decision: not answered at all</comment>
        <translation>descartado</translation>
    </message>
    <message>
        <source>failed</source>
        <comment>audit decision: allowed, but it did not work</comment>
        <translation>fallido</translation>
    </message>
    <message>
        <source>note</source>
        <comment>audit decision: nothing was decided</comment>
        <translation>nota</translation>
    </message>
    <message>
        <source>from the widget</source>
        <translation>del widget</translation>
    </message>
    <message>
        <source>to the widget</source>
        <translation>al widget</translation>
    </message>
    <message>
        <source>in Tessera</source>
        <comment>audit direction: no message crossed to or from a widget</comment>
        <translation>en Tessera</translation>
    </message>
    <message>
        <source>message</source>
        <comment>audit category</comment>
        <translation>mensaje</translation>
    </message>
    <message>
        <source>consent</source>
        <comment>audit category</comment>
        <translation>consentimiento</translation>
    </message>
    <message>
        <source>plugin</source>
        <comment>audit category</comment>
        <translation>plugin</translation>
    </message>
    <message>
        <source>navigation</source>
        <comment>audit category</comment>
        <translation>navegación</translation>
    </message>
    <message>
        <source>session</source>
        <comment>audit category</comment>
        <translation>sesión</translation>
    </message>
    <message>
        <source>retention</source>
        <comment>audit category</comment>
        <translation>retención</translation>
    </message>
    <message>
        <source>audit log</source>
        <comment>audit category</comment>
        <translation>registro de auditoría</translation>
    </message>
    <message>
        <source>outgoing</source>
        <comment>audit category</comment>
        <translation>saliente</translation>
    </message>
    <message>
        <source>Any decision</source>
        <translation>Cualquier decisión</translation>
    </message>
</context>
<context>
    <name>tessera::ui::ConsentPromptModel</name>
    <message>
        <location filename="../../host/ui/consentmodel.cpp" line="136"/>
        <source>Consent is not available.</source>
        <translation>El consentimiento no está disponible.</translation>
    </message>
</context>
<context>
    <name>tessera::ui::HostController</name>
    <message>
        <location filename="../../host/ui/hostcontroller_calls.cpp"/>
        <source>There is no call to replace here.</source>
        <translation>Aquí no hay ninguna llamada que sustituir.</translation>
    </message>
    <message>
        <location filename="../../host/ui/hostcontroller.cpp"/>
        <source>You are not a member of this room, so you cannot send messages here.</source>
        <translation>No eres miembro de esta sala, así que no puedes enviar mensajes aquí.</translation>
    </message>
    <message>
        <location filename="../../host/ui/hostcontroller.cpp"/>
        <source>You have not joined this room yet. Accept the invitation to send messages here.</source>
        <translation>Todavía no has entrado en esta sala. Acepta la invitación para enviar mensajes aquí.</translation>
    </message>
    <message>
        <location filename="../../host/ui/hostcontroller.cpp"/>
        <source>Could not decline the invitation to %1: %2</source>
        <translation>No se pudo rechazar la invitación a %1: %2</translation>
    </message>
    <message>
        <location filename="../../host/ui/hostcontroller.cpp"/>
        <source>Could not join %1: %2</source>
        <translation>No se pudo entrar en %1: %2</translation>
    </message>
    <message>
        <location filename="../../host/ui/hostcontroller.cpp" line="490"/>
        <location filename="../../host/ui/hostcontroller.cpp" line="507"/>
        <source>Nothing was opened: the audit log cannot record it.</source>
        <translation>No se abrió nada: el registro de auditoría no puede anotarlo.</translation>
    </message>
    <message>
        <location filename="../../host/ui/hostcontroller.cpp" line="159"/>
        <source>Enter the homeserver, your user name and your password.</source>
        <translation>Escribe el servidor, tu nombre de usuario y tu contraseña.</translation>
    </message>
    <message>
        <location filename="../../host/ui/hostcontroller.cpp" line="322"/>
        <location filename="../../host/ui/hostcontroller.cpp" line="350"/>
        <location filename="../../host/ui/hostcontroller.cpp" line="386"/>
        <source>Choose a room first.</source>
        <translation>Elige primero una sala.</translation>
    </message>
    <message>
        <location filename="../../host/ui/hostcontroller.cpp" line="326"/>
        <source>Usage: /widget &lt;https://…&gt; [name]</source>
        <translation>Uso: /widget &lt;https://…&gt; [nombre]</translation>
    </message>
    <message>
        <location filename="../../host/ui/hostcontroller.cpp" line="333"/>
        <source>Unknown command %1. Start with // to send a message that begins with a slash.</source>
        <translation>Orden desconocida %1. Empieza con // para enviar un mensaje que comienza con una barra.</translation>
    </message>
    <message>
        <location filename="../../host/ui/hostcontroller.cpp" line="320"/>
        <source>Not sent: this room is end-to-end encrypted and Tessera cannot encrypt messages here, so your message would have reached the server unencrypted.</source>
        <translation>No se envió: esta sala tiene cifrado de extremo a extremo y Tessera no puede cifrar mensajes aquí, así que tu mensaje habría llegado al servidor sin cifrar.</translation>
    </message>
    <message>
        <location filename="../../host/ui/hostcontroller.cpp" line="284"/>
        <source>Your message was not sent: %1</source>
        <translation>Tu mensaje no se envió: %1</translation>
    </message>
    <message>
        <location filename="../../host/ui/hostcontroller.cpp" line="356"/>
        <location filename="../../host/ui/hostcontroller.cpp" line="392"/>
        <source>You are not allowed to add widgets to this room.</source>
        <translation>No tienes permiso para añadir widgets a esta sala.</translation>
    </message>
    <message>
        <location filename="../../host/ui/hostcontroller.cpp" line="443"/>
        <source>The widget was not added: %1</source>
        <translation>El widget no se añadió: %1</translation>
    </message>
    <message>
        <location filename="../../host/ui/hostcontroller.cpp" line="390"/>
        <source>No enabled plugin provides widgets of type %1.</source>
        <translation>Ningún complemento activado ofrece widgets del tipo %1.</translation>
    </message>
    <message>
        <location filename="../../host/ui/hostcontroller.cpp" line="463"/>
        <source>The widget was not removed: %1</source>
        <translation>El widget no se quitó: %1</translation>
    </message>
    <message>
        <location filename="../../host/ui/hostcontroller.cpp" line="471"/>
        <source>Only web addresses (https://…) can be opened in the browser.</source>
        <translation>Solo se pueden abrir direcciones web (https://…) en el navegador.</translation>
    </message>
    <message>
        <location filename="../../host/ui/hostcontroller.cpp" line="473"/>
        <source>No web browser could be started.</source>
        <translation>No se pudo iniciar ningún navegador web.</translation>
    </message>
    <message>
        <source>This widget cannot be opened in the browser.</source>
        <translation>Este widget no se puede abrir en el navegador.</translation>
    </message>
    <message>
        <source>Answer the question about the other address first.</source>
        <translation>Responde primero a la pregunta sobre la otra dirección.</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Copiado</translation>
    </message>
    <message>
        <location filename="../../host/ui/hostcontroller.cpp" line="739"/>
        <source>This kind of widget is not offered here any more.</source>
        <translation>Este tipo de widget ya no se ofrece aquí.</translation>
    </message>
</context>
<context>
    <name>tessera::ui::PermissionsModel</name>
    <message>
        <location filename="../../host/ui/pagemodels.cpp" line="55"/>
        <source>Trust widgets added by %1</source>
        <translation>Confiar en los widgets que añade %1</translation>
    </message>
    <message>
        <location filename="../../host/ui/pagemodels.cpp" line="58"/>
        <source>Trust what the plugin %1 declares for its widgets</source>
        <translation>Confiar en lo que el complemento %1 declara para sus widgets</translation>
    </message>
    <message>
        <source>Give call widgets from the call service %1 what a call needs</source>
        <translation>Dar a los widgets de llamada del servicio de llamadas %1 lo que necesita una llamada</translation>
    </message>
    <message>
        <location filename="../../host/ui/pagemodels.cpp" line="96"/>
        <source>Load this widget</source>
        <translation>Cargar este widget</translation>
    </message>
    <message>
        <location filename="../../host/ui/pagemodels.cpp" line="128"/>
        <source>Unknown kind of rule: %1</source>
        <translation>Tipo de regla desconocido: %1</translation>
    </message>
    <message>
        <source>Trust widgets I add</source>
        <translation>Confiar en los widgets que añado</translation>
    </message>
    <message>
        <source>This rule is already in place.</source>
        <translation>Esta regla ya existe.</translation>
    </message>
    <message>
        <source>No rule can be added now: the audit log cannot record what it would grant.</source>
        <translation>Ahora no se puede añadir ninguna regla: el registro de auditoría no puede anotar lo que concedería.</translation>
    </message>
    <message>
        <source>“%1” is not a Matrix user id. An agent is named as @name:server.</source>
        <translation>«%1» no es un id de usuario de Matrix. Un agente se escribe como @nombre:servidor.</translation>
    </message>
    <message>
        <source>“%1” is not the address of a call service: give its https:// address (http:// only on this computer), without a user name or password.</source>
        <translation>«%1» no es la dirección de un servicio de llamadas: escribe su dirección https:// (http:// solo en este ordenador), sin nombre de usuario ni contraseña.</translation>
    </message>
    <message>
        <source>This rule cannot be added.</source>
        <translation>Esta regla no se puede añadir.</translation>
    </message>
    <message>
        <source>The rule was not saved. Try again.</source>
        <translation>La regla no se guardó. Inténtalo de nuevo.</translation>
    </message>
    <message>
        <source>This rule was already removed.</source>
        <translation>Esta regla ya se había quitado.</translation>
    </message>
    <message>
        <source>The rule was not removed. Try again.</source>
        <translation>La regla no se quitó. Inténtalo de nuevo.</translation>
    </message>
</context>
<context>
    <name>tessera::ui::RoomListModel</name>
    <message>
        <location filename="../../host/ui/roommodels.cpp"/>
        <source>%1 and %2</source>
        <translation>%1 y %2</translation>
    </message>
    <message>
        <location filename="../../host/ui/roommodels.cpp"/>
        <source>Empty room (was %1)</source>
        <translation>Sala vacía (antes: %1)</translation>
    </message>
    <message>
        <location filename="../../host/ui/roommodels.cpp"/>
        <source>Empty room</source>
        <translation>Sala vacía</translation>
    </message>
    <message numerus="yes">
        <location filename="../../host/ui/roommodels.cpp"/>
        <source>%1 and %n others</source>
        <translation>
            <numerusform>%1 y %n persona más</numerusform>
            <numerusform>%1 y %n personas más</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../host/ui/roommodels.cpp"/>
        <source>%1 and 1 other</source>
        <translation>%1 y 1 persona más</translation>
    </message>
    <message numerus="yes">
        <location filename="../../host/ui/roommodels.cpp"/>
        <source>%n people</source>
        <translation>
            <numerusform>%n persona</numerusform>
            <numerusform>%n personas</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../host/ui/roommodels.cpp"/>
        <source>1 person</source>
        <translation>1 persona</translation>
    </message>
</context>
<context>
    <name>tessera::ui::SecretStore</name>
    <message>
        <location filename="../../host/ui/keychainsecretstore.cpp" line="93"/>
        <source>Tessera keeps its secrets in files readable only by you in %1 (no system keychain is running).</source>
        <translation>Tessera guarda sus secretos en archivos que solo tú puedes leer, en %1 (no hay ningún llavero del sistema en marcha).</translation>
    </message>
</context>
<context>
    <name>tessera::ui::TimelineModel</name>
    <message>
        <location filename="../../host/ui/roommodels.cpp" line="311"/>
        <source>Unable to decrypt this message: its key has not arrived (yet)</source>
        <translation>No se puede descifrar este mensaje: su clave no ha llegado (todavía)</translation>
    </message>
    <message>
        <location filename="../../host/ui/roommodels.cpp" line="312"/>
        <source>Encrypted message — cannot be read here</source>
        <translation>Mensaje cifrado: no se puede leer aquí</translation>
    </message>
    <message>
        <location filename="../../host/ui/roommodels.cpp" line="316"/>
        <source>turned on end-to-end encryption</source>
        <translation>activó el cifrado de extremo a extremo</translation>
    </message>
    <message>
        <location filename="../../host/ui/roommodels.cpp" line="270"/>
        <source>added the widget %1</source>
        <translation>añadió el widget %1</translation>
    </message>
    <message>
        <location filename="../../host/ui/roommodels.cpp" line="288"/>
        <source>renamed the room to %1</source>
        <translation>cambió el nombre de la sala a %1</translation>
    </message>
    <message>
        <location filename="../../host/ui/roommodels.cpp" line="290"/>
        <source>changed the topic to %1</source>
        <translation>cambió el tema a %1</translation>
    </message>
    <message>
        <location filename="../../host/ui/roommodels.cpp" line="292"/>
        <source>created the room</source>
        <translation>creó la sala</translation>
    </message>
    <message>
        <location filename="../../host/ui/roommodels.cpp" line="294"/>
        <source>enabled the plugin %1</source>
        <translation>activó el complemento %1</translation>
    </message>
    <message>
        <location filename="../../host/ui/roommodels.cpp" line="296"/>
        <source>disabled the plugin %1</source>
        <translation>desactivó el complemento %1</translation>
    </message>
    <message>
        <source>removed the widget %1</source>
        <translation>quitó el widget %1</translation>
    </message>
</context>
<context>
    <name>tessera::ui::WidgetEventError</name>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="44"/>
        <source>widget state event is not a JSON object</source>
        <translation>el evento de estado del widget no es un objeto JSON</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="45"/>
        <source>event type must be m.widget or im.vector.modular.widgets</source>
        <translation>el tipo de evento debe ser m.widget o im.vector.modular.widgets</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="46"/>
        <source>widget state event has no state_key (the widget id)</source>
        <translation>el evento de estado del widget no tiene state_key (el id del widget)</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="47"/>
        <source>widget id is longer than 255 bytes</source>
        <translation>el id del widget ocupa más de 255 bytes</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="48"/>
        <source>widget state event has no content object</source>
        <translation>el evento de estado del widget no tiene un objeto content</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="49"/>
        <source>widget `url` must be a non-empty string</source>
        <translation>el campo `url` del widget debe ser un texto no vacío</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="50"/>
        <source>widget `url` is longer than %1 bytes</source>
        <translation>el campo `url` del widget ocupa más de %1 bytes</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="51"/>
        <source>widget `type` must be a non-empty string</source>
        <translation>el campo `type` del widget debe ser un texto no vacío</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="52"/>
        <source>widget `name` must be a string</source>
        <translation>el campo `name` del widget debe ser un texto</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="53"/>
        <source>widget `data` must be an object</source>
        <translation>el campo `data` del widget debe ser un objeto</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="54"/>
        <source>widget `waitForIframeLoad` must be a boolean</source>
        <translation>el campo `waitForIframeLoad` del widget debe ser un booleano</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="55"/>
        <source>widget `creatorUserId` must be a string</source>
        <translation>el campo `creatorUserId` del widget debe ser un texto</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="56"/>
        <source>widget `avatar_url` must be an mxc:// URI</source>
        <translation>el campo `avatar_url` del widget debe ser un URI mxc://</translation>
    </message>
</context>
<context>
    <name>tessera::ui::UrlRefusal</name>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="16"/>
        <source>%1: URLs are never loaded as widgets</source>
        <translation>Las URL %1: nunca se cargan como widgets</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="17"/>
        <source>%1: URLs are reserved for widgets served by plugins</source>
        <translation>Las URL %1: están reservadas a los widgets que sirven los complementos</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="18"/>
        <source>plugin widget URL has no plugin id</source>
        <translation>La URL del widget de complemento no indica qué complemento lo sirve</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="19"/>
        <source>only https: widget URLs are allowed (got %1:)</source>
        <translation>Solo se admiten URL de widget https: (se recibió %1:)</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="20"/>
        <source>widget URL must start with %1://</source>
        <translation>La URL del widget debe empezar por %1://</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="21"/>
        <source>widget URL must not contain a user name or password</source>
        <translation>La URL del widget no debe contener un usuario ni una contraseña</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="22"/>
        <source>http: is only allowed for loopback hosts (localhost, 127.0.0.1, [::1]); use https:</source>
        <translation>http: solo se admite para hosts locales (localhost, 127.0.0.1, [::1]); usa https:</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="24"/>
        <source>http: on a loopback host needs the developer switch --allow-http-loopback</source>
        <translation>http: en un host local necesita la opción de desarrollo --allow-http-loopback</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="25"/>
        <source>widget URL is empty</source>
        <translation>La URL del widget está vacía</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="26"/>
        <source>widget URL is longer than %1 bytes</source>
        <translation>La URL del widget ocupa más de %1 bytes</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="27"/>
        <source>widget URL contains a space or control character</source>
        <translation>La URL del widget contiene un espacio o un carácter de control</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="28"/>
        <source>widget URL contains a backslash</source>
        <translation>La URL del widget contiene una barra invertida</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="29"/>
        <source>widget URL is not valid UTF-8</source>
        <translation>La URL del widget no es UTF-8 válido</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="30"/>
        <source>widget URL has no scheme</source>
        <translation>La URL del widget no tiene esquema</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="31"/>
        <source>widget URL has an unterminated IPv6 address</source>
        <translation>La URL del widget tiene una dirección IPv6 sin cerrar</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="32"/>
        <source>widget URL has characters after its IPv6 address</source>
        <translation>La URL del widget tiene caracteres después de su dirección IPv6</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="33"/>
        <source>widget URL host is not a valid IPv6 address</source>
        <translation>El host de la URL del widget no es una dirección IPv6 válida</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="34"/>
        <source>widget URL has no host</source>
        <translation>La URL del widget no tiene host</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="35"/>
        <source>widget URL host has non-ASCII characters; write internationalised names in punycode (xn--…)</source>
        <translation>El host de la URL del widget tiene caracteres no ASCII; escribe los nombres internacionalizados en punycode (xn--…)</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="37"/>
        <source>widget URL host is percent-encoded</source>
        <translation>El host de la URL del widget está codificado con porcentajes</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="38"/>
        <source>widget URL host contains the character &apos;%1&apos;</source>
        <translation>El host de la URL del widget contiene el carácter «%1»</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="39"/>
        <source>widget URL host has an empty label</source>
        <translation>El host de la URL del widget tiene una etiqueta vacía</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="40"/>
        <source>widget URL host looks like an IP address but is not a plain dotted-quad (e.g. 127.0.0.1)</source>
        <translation>El host de la URL del widget parece una dirección IP, pero no es una de cuatro números separados por puntos (p. ej., 127.0.0.1)</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="42"/>
        <source>widget URL port is not a number</source>
        <translation>El puerto de la URL del widget no es un número</translation>
    </message>
    <message>
        <location filename="../../host/ui/urlrefusal.cpp" line="43"/>
        <source>widget URL port is out of range (1-65535)</source>
        <translation>El puerto de la URL del widget está fuera de rango (1-65535)</translation>
    </message>
</context>
<context>
    <name>tessera::ui::WidgetController</name>
    <message>
        <source>This widget needs a Matrix server</source>
        <translation>Este widget necesita un servidor de Matrix</translation>
    </message>
    <message>
        <source>Its address asks for %1, which Tessera has only when it is signed in to a Matrix server. On the local rooms the widget gets nothing there and may not work.</source>
        <translation>Su dirección pide %1, que Tessera solo tiene cuando ha iniciado sesión en un servidor de Matrix. En las salas locales el widget no recibe nada ahí y puede que no funcione.</translation>
    </message>
    <message>
        <source>“%1” did not start the Widget API</source>
        <translation>«%1» no inició la API de widgets</translation>
    </message>
    <message>
        <source>It did not answer Tessera within %1 seconds, so it cannot read or send anything in this room. It may work on its own; Reload tries again.</source>
        <translation>No respondió a Tessera en %1 segundos, así que no puede leer ni enviar nada en esta sala. Puede que funcione por su cuenta; Recargar lo intenta de nuevo.</translation>
    </message>
    <message>
        <source>“%1” closed</source>
        <translation>«%1» se cerró</translation>
    </message>
    <message>
        <source>The widget closed itself. Reload it to open it again.</source>
        <translation>El widget se cerró solo. Recárgalo para volver a abrirlo.</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcontroller.cpp" line="258"/>
        <source>Not enabled in this room</source>
        <translation>No está activado en esta sala</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcontroller.cpp" line="273"/>
        <source>This widget&apos;s address is not allowed</source>
        <translation>La dirección de este widget no está permitida</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcontroller.cpp" line="284"/>
        <source>Waiting for your permission</source>
        <translation>Esperando tu permiso</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcontroller.cpp" line="285"/>
        <source>This widget was added by %1. Tessera asks before loading it.</source>
        <translation>Este widget lo añadió %1. Tessera pregunta antes de cargarlo.</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcontroller.cpp" line="301"/>
        <source>You chose not to load this widget</source>
        <translation>Elegiste no cargar este widget</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcontroller.cpp" line="412"/>
        <source>The widget&apos;s secure connection failed</source>
        <translation>La conexión segura del widget falló</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcontroller.cpp" line="412"/>
        <source>The widget cannot be reached</source>
        <translation>No se puede contactar con el widget</translation>
    </message>
    <message>
        <source>“%1” is not responding</source>
        <translation>«%1» no responde</translation>
    </message>
    <message>
        <source>It has not answered for %1 seconds: it may be stuck in a loop or its page may have crashed. Other widgets keep working.</source>
        <translation>No ha respondido en %1 segundos: puede estar atascado en un bucle o su página puede haberse cerrado por un fallo. Los demás widgets siguen funcionando.</translation>
    </message>
    <message>
        <source>Its page crashed (exit code %1).</source>
        <translation>Su página falló y se cerró (código de salida %1).</translation>
    </message>
    <message>
        <source>Its page was stopped by the system (exit code %1), perhaps for using too much memory.</source>
        <translation>El sistema detuvo su página (código de salida %1), quizá por usar demasiada memoria.</translation>
    </message>
    <message>
        <source>Its page ended unexpectedly (exit code %1).</source>
        <translation>Su página terminó de forma inesperada (código de salida %1).</translation>
    </message>
    <message>
        <source>“%1” stopped working</source>
        <translation>«%1» dejó de funcionar</translation>
    </message>
    <message>
        <source>“%1” was closed</source>
        <translation>«%1» se cerró</translation>
    </message>
    <message>
        <source>You closed it because it stopped responding. Reload it to start it again.</source>
        <translation>Lo cerraste porque dejó de responder. Recárgalo para volver a iniciarlo.</translation>
    </message>
    <message>
        <source>No connection could be made to %1. Check your network, or ask whoever added the widget whether its address is right.</source>
        <translation>No se pudo conectar con %1. Comprueba tu red o pregunta a quien añadió el widget si su dirección es correcta.</translation>
    </message>
    <message>
        <source>%1 did not answer in time.</source>
        <translation>%1 no respondió a tiempo.</translation>
    </message>
    <message>
        <source>The security certificate of %1 could not be verified, so Tessera did not load the widget.</source>
        <translation>No se pudo verificar el certificado de seguridad de %1, así que Tessera no cargó el widget.</translation>
    </message>
    <message>
        <source>Loading it from %1 failed.</source>
        <translation>No se pudo cargar desde %1.</translation>
    </message>
</context>
<context>
    <name>tessera::ui::WidgetManager</name>
    <message>
        <location filename="../../host/ui/widgetmanager.cpp" line="396"/>
        <source>A widget tried to open %1, which is not a room you are in.</source>
        <translation>Un widget intentó abrir %1, que no es una sala en la que estés.</translation>
    </message>
    <message>
        <source>The plugin could not show this widget</source>
        <translation>El complemento no pudo mostrar este widget</translation>
    </message>
    <message>
        <source>The plugin that provides this widget did not give Tessera a page for it. Reloading may help.</source>
        <translation>El complemento que ofrece este widget no le dio a Tessera una página para él. Recargar puede ayudar.</translation>
    </message>
    <message>
        <source>This widget cannot be shown</source>
        <translation>Este widget no se puede mostrar</translation>
    </message>
    <message>
        <source>The plugin that provides this widget cannot show it as it was added to this room.</source>
        <translation>El complemento que ofrece este widget no puede mostrarlo tal como se añadió a esta sala.</translation>
    </message>
</context>
<context>
    <name>SecurityPage</name>
    <message>
        <location filename="../SecurityPage.qml" line="22"/>
        <source>Security</source>
        <translation>Seguridad</translation>
    </message>
    <message>
        <location filename="../SecurityPage.qml" line="31"/>
        <source>End-to-end encryption is starting…</source>
        <translation>El cifrado de extremo a extremo se está iniciando…</translation>
    </message>
    <message>
        <location filename="../SecurityPage.qml" line="32"/>
        <source>Local rooms stay on this computer and are not end-to-end encrypted. Encryption is for rooms on a Matrix homeserver.</source>
        <translation>Las salas locales se quedan en este ordenador y no tienen cifrado de extremo a extremo. El cifrado es para las salas de un servidor Matrix.</translation>
    </message>
    <message>
        <location filename="../SecurityPage.qml" line="49"/>
        <source>This device</source>
        <translation>Este dispositivo</translation>
    </message>
    <message>
        <location filename="../SecurityPage.qml" line="52"/>
        <source>Device %1</source>
        <translation>Dispositivo %1</translation>
    </message>
    <message>
        <location filename="../SecurityPage.qml" line="57"/>
        <source>Fingerprint (compare it with what your other devices show for this one):</source>
        <translation>Huella (compárala con la que muestran tus otros dispositivos para este):</translation>
    </message>
    <message>
        <location filename="../SecurityPage.qml" line="80"/>
        <source>Devices in this room</source>
        <translation>Dispositivos en esta sala</translation>
    </message>
    <message>
        <location filename="../SecurityPage.qml" line="80"/>
        <source>Your devices</source>
        <translation>Tus dispositivos</translation>
    </message>
    <message numerus="yes">
        <location filename="../SecurityPage.qml" line="90"/>
        <source>%n device(s) not verified: messages you send here can be read by them, and you cannot be sure who holds them.</source>
        <translation>
            <numerusform>%n dispositivo sin verificar: puede leer los mensajes que envías aquí y no puedes estar seguro de quién lo tiene.</numerusform>
            <numerusform>%n dispositivos sin verificar: pueden leer los mensajes que envías aquí y no puedes estar seguro de quién los tiene.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../SecurityPage.qml" line="118"/>
        <source>(this device)</source>
        <translation>(este dispositivo)</translation>
    </message>
    <message>
        <location filename="../SecurityPage.qml" line="139"/>
        <source>Verified</source>
        <translation>Verificado</translation>
    </message>
    <message>
        <location filename="../SecurityPage.qml" line="139"/>
        <source>Not verified</source>
        <translation>Sin verificar</translation>
    </message>
    <message>
        <location filename="../SecurityPage.qml" line="146"/>
        <source>Verify</source>
        <translation>Verificar</translation>
    </message>
    <message>
        <location filename="../SecurityPage.qml" line="158"/>
        <source>Read older messages</source>
        <translation>Leer mensajes anteriores</translation>
    </message>
    <message>
        <location filename="../SecurityPage.qml" line="162"/>
        <source>Messages sent before this device was signed in can be read with the keys in your key backup. Enter your recovery key to restore them.</source>
        <translation>Los mensajes enviados antes de que este dispositivo iniciara sesión se pueden leer con las claves de tu copia de seguridad de claves. Escribe tu clave de recuperación para restaurarlas.</translation>
    </message>
    <message>
        <location filename="../SecurityPage.qml" line="172"/>
        <source>Recovery key</source>
        <translation>Clave de recuperación</translation>
    </message>
    <message>
        <location filename="../SecurityPage.qml" line="180"/>
        <source>Restore keys</source>
        <translation>Restaurar claves</translation>
    </message>
</context>
<context>
    <name>VerificationDialog</name>
    <message>
        <location filename="../VerificationDialog.qml" line="24"/>
        <source>Verified</source>
        <translation>Verificado</translation>
    </message>
    <message>
        <location filename="../VerificationDialog.qml" line="25"/>
        <source>Verification stopped</source>
        <translation>Verificación detenida</translation>
    </message>
    <message>
        <location filename="../VerificationDialog.qml" line="26"/>
        <source>Verify a device</source>
        <translation>Verificar un dispositivo</translation>
    </message>
    <message>
        <location filename="../VerificationDialog.qml" line="36"/>
        <source>%1 wants to verify this device. Accept only if you started this on the other device.</source>
        <translation>%1 quiere verificar este dispositivo. Acepta solo si lo has iniciado tú en el otro dispositivo.</translation>
    </message>
    <message>
        <location filename="../VerificationDialog.qml" line="37"/>
        <source>Waiting for %1…</source>
        <translation>Esperando a %1…</translation>
    </message>
    <message>
        <location filename="../VerificationDialog.qml" line="38"/>
        <source>Compare these emoji with the ones shown on %1. They must be the same, in the same order.</source>
        <translation>Compara estos emoji con los que se muestran en %1. Deben ser los mismos y en el mismo orden.</translation>
    </message>
    <message>
        <location filename="../VerificationDialog.qml" line="39"/>
        <source>Waiting for %1 to confirm…</source>
        <translation>Esperando a que %1 confirme…</translation>
    </message>
    <message>
        <location filename="../VerificationDialog.qml" line="40"/>
        <source>%1 is verified: its messages are shown as trusted and it is no longer a warning.</source>
        <translation>%1 está verificado: sus mensajes se muestran como de confianza y ya no es motivo de aviso.</translation>
    </message>
    <message>
        <location filename="../VerificationDialog.qml" line="41"/>
        <source>The verification with %1 was cancelled: %2</source>
        <translation>La verificación con %1 se canceló: %2</translation>
    </message>
    <message>
        <location filename="../VerificationDialog.qml" line="41"/>
        <source>no reason given</source>
        <translation>sin motivo</translation>
    </message>
    <message>
        <location filename="../VerificationDialog.qml" line="83"/>
        <source>Decline</source>
        <translation>Rechazar</translation>
    </message>
    <message>
        <location filename="../VerificationDialog.qml" line="83"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <location filename="../VerificationDialog.qml" line="90"/>
        <source>They don&apos;t match</source>
        <translation>No coinciden</translation>
    </message>
    <message>
        <location filename="../VerificationDialog.qml" line="97"/>
        <source>Accept</source>
        <translation>Aceptar</translation>
    </message>
    <message>
        <location filename="../VerificationDialog.qml" line="104"/>
        <source>They match</source>
        <translation>Coinciden</translation>
    </message>
    <message>
        <location filename="../VerificationDialog.qml" line="111"/>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
</context>
<context>
    <name>tessera::ui::SecurityModel</name>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="327"/>
        <source>End-to-end encryption is not available</source>
        <translation>El cifrado de extremo a extremo no está disponible</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="333"/>
        <source>Enter your recovery key</source>
        <translation>Escribe tu clave de recuperación</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="340"/>
        <source>Restoring keys from the key backup…</source>
        <translation>Restaurando las claves de la copia de seguridad…</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="349"/>
        <source>The keys could not be restored: %1</source>
        <translation>No se pudieron restaurar las claves: %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../../host/ui/securitymodel.cpp" line="352"/>
        <source>Restored %n room key(s) from the key backup</source>
        <translation>
            <numerusform>Se restauró %n clave de sala de la copia de seguridad</numerusform>
            <numerusform>Se restauraron %n claves de sala de la copia de seguridad</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Dog</source>
        <translation>Perro</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Cat</source>
        <translation>Gato</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Lion</source>
        <translation>León</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Horse</source>
        <translation>Caballo</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Unicorn</source>
        <translation>Unicornio</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Pig</source>
        <translation>Cerdo</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Elephant</source>
        <translation>Elefante</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Rabbit</source>
        <translation>Conejo</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Panda</source>
        <translation>Panda</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Rooster</source>
        <translation>Gallo</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Penguin</source>
        <translation>Pingüino</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Turtle</source>
        <translation>Tortuga</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Fish</source>
        <translation>Pez</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Octopus</source>
        <translation>Pulpo</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Butterfly</source>
        <translation>Mariposa</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Flower</source>
        <translation>Flor</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Tree</source>
        <translation>Árbol</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Cactus</source>
        <translation>Cactus</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Mushroom</source>
        <translation>Seta</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Globe</source>
        <translation>Globo</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Moon</source>
        <translation>Luna</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Cloud</source>
        <translation>Nube</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Fire</source>
        <translation>Fuego</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Banana</source>
        <translation>Plátano</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Apple</source>
        <translation>Manzana</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Strawberry</source>
        <translation>Fresa</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Corn</source>
        <translation>Maíz</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Pizza</source>
        <translation>Pizza</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Cake</source>
        <translation>Tarta</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Heart</source>
        <translation>Corazón</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Smiley</source>
        <translation>Emoticono</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Robot</source>
        <translation>Robot</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Hat</source>
        <translation>Sombrero</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Glasses</source>
        <translation>Gafas</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Spanner</source>
        <translation>Llave inglesa</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Santa</source>
        <translation>Papá Noel</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Thumbs Up</source>
        <translation>Pulgar arriba</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Umbrella</source>
        <translation>Paraguas</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Hourglass</source>
        <translation>Reloj de arena</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Clock</source>
        <translation>Reloj</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Gift</source>
        <translation>Regalo</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Light Bulb</source>
        <translation>Bombilla</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Book</source>
        <translation>Libro</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Pencil</source>
        <translation>Lápiz</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Paperclip</source>
        <translation>Clip</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Scissors</source>
        <translation>Tijeras</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Lock</source>
        <translation>Candado</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Key</source>
        <translation>Llave</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Hammer</source>
        <translation>Martillo</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Telephone</source>
        <translation>Teléfono</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Flag</source>
        <translation>Bandera</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Train</source>
        <translation>Tren</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Bicycle</source>
        <translation>Bicicleta</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Aeroplane</source>
        <translation>Avión</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Rocket</source>
        <translation>Cohete</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Trophy</source>
        <translation>Trofeo</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Ball</source>
        <translation>Bola</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Guitar</source>
        <translation>Guitarra</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Trumpet</source>
        <translation>Trompeta</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Bell</source>
        <translation>Campana</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Anchor</source>
        <translation>Ancla</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Headphones</source>
        <translation>Cascos</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Folder</source>
        <translation>Carpeta</translation>
    </message>
    <message>
        <location filename="../../host/ui/securitymodel.cpp" line="60"/>
        <source>Pin</source>
        <translation>Alfiler</translation>
    </message>
</context>
<context>
    <name>tessera::ui::AuditReason</name>
    <message>
        <source>nobody answered within %1 s: denied</source>
        <translation>nadie respondió en %1 s: denegado</translation>
    </message>
    <message>
        <source>the user allowed %1 and denied %2, remembered</source>
        <translation>el usuario permitió %1 y denegó %2, recordado</translation>
    </message>
    <message>
        <source>the user allowed %1 and denied %2, this time only</source>
        <translation>el usuario permitió %1 y denegó %2, solo esta vez</translation>
    </message>
    <message>
        <source>decided without asking</source>
        <translation>decidido sin preguntar</translation>
    </message>
    <message>
        <source>declined earlier in this session</source>
        <translation>rechazado antes en esta sesión</translation>
    </message>
    <message>
        <source>too many consent questions are already waiting for an answer</source>
        <translation>ya hay demasiadas preguntas de consentimiento esperando respuesta</translation>
    </message>
    <message>
        <source>%1 granted 1 capability</source>
        <translation>%1 concedió 1 capacidad</translation>
    </message>
    <message>
        <source>%1 granted %2 capabilities</source>
        <translation>%1 concedió %2 capacidades</translation>
    </message>
    <message>
        <source>%1 granted 1 load</source>
        <translation>%1 concedió 1 carga</translation>
    </message>
    <message>
        <source>%1 granted %2 loads</source>
        <translation>%1 concedió %2 cargas</translation>
    </message>
    <message>
        <source>rule %1 (trust widgets I add)</source>
        <translation>la regla %1 (confiar en los widgets que añado)</translation>
    </message>
    <message>
        <source>rule %1 (trust widgets added by %2)</source>
        <translation>la regla %1 (confiar en los widgets que añade %2)</translation>
    </message>
    <message>
        <source>rule %1 (trust the declared capabilities of plugin %2)</source>
        <translation>la regla %1 (confiar en las capacidades declaradas del complemento %2)</translation>
    </message>
    <message>
        <source>rule %1 (trust the call service at %2)</source>
        <translation>la regla %1 (confiar en el servicio de llamadas en %2)</translation>
    </message>
    <message>
        <source>capability %1 denied automatically: %2</source>
        <translation>capacidad %1 denegada automáticamente: %2</translation>
    </message>
    <message>
        <source>capability %1 was approved but not requested; ignored</source>
        <translation>la capacidad %1 se aprobó sin haberse pedido; ignorada</translation>
    </message>
    <message>
        <source>capability is empty, longer than 1024 bytes or contains control characters</source>
        <translation>la capacidad está vacía, ocupa más de 1024 bytes o contiene caracteres de control</translation>
    </message>
    <message>
        <source>Tessera does not support this capability</source>
        <translation>Tessera no admite esta capacidad</translation>
    </message>
    <message>
        <source>timeline capability needs a room id (!…) or *</source>
        <translation>una capacidad de cronología necesita un ID de sala (!…) o *</translation>
    </message>
    <message>
        <source>event type is empty or longer than 255 bytes</source>
        <translation>el tipo de evento está vacío u ocupa más de 255 bytes</translation>
    </message>
    <message>
        <source>state key or msgtype is longer than 255 bytes</source>
        <translation>la clave de estado o el msgtype ocupa más de 255 bytes</translation>
    </message>
    <message>
        <source>widgets cannot send pre-encrypted events</source>
        <translation>los widgets no pueden enviar eventos ya cifrados</translation>
    </message>
    <message>
        <source>widget did not answer the capabilities request: %1</source>
        <translation>el widget no respondió a la petición de capacidades: %1</translation>
    </message>
    <message>
        <source>capabilities reply refused: %1</source>
        <translation>respuesta de capacidades rechazada: %1</translation>
    </message>
    <message>
        <source>capability decision failed, nothing granted: %1</source>
        <translation>la decisión sobre las capacidades falló, no se concedió nada: %1</translation>
    </message>
    <message>
        <source>session is stopped</source>
        <translation>la sesión está detenida</translation>
    </message>
    <message>
        <source>a fromWidget response: only the host answers fromWidget requests</source>
        <translation>una respuesta fromWidget: solo el anfitrión responde a las peticiones fromWidget</translation>
    </message>
    <message>
        <source>a toWidget request: only the host sends toWidget requests</source>
        <translation>una petición toWidget: solo el anfitrión envía peticiones toWidget</translation>
    </message>
    <message>
        <source>response to an unknown or expired request</source>
        <translation>respuesta a una petición desconocida o caducada</translation>
    </message>
    <message>
        <source>widget is not answering: %1 requests already wait for it</source>
        <translation>el widget no responde: ya hay %1 peticiones esperándolo</translation>
    </message>
    <message>
        <source>identity request blocked</source>
        <translation>petición de identidad bloqueada</translation>
    </message>
    <message>
        <source>%1; no reply fits</source>
        <translation>%1; no cabe ninguna respuesta</translation>
    </message>
    <message>
        <source>Cannot send room events of this type</source>
        <translation>No puede enviar eventos de sala de este tipo</translation>
    </message>
    <message>
        <source>Cannot send state events of this type</source>
        <translation>No puede enviar eventos de estado de este tipo</translation>
    </message>
    <message>
        <source>Cannot send to-device events of this type</source>
        <translation>No puede enviar eventos a dispositivos de este tipo</translation>
    </message>
    <message>
        <source>Cannot send a state event with a sticky duration</source>
        <translation>No puede enviar un evento de estado con duración fija</translation>
    </message>
    <message>
        <source>Cannot read room events of this type</source>
        <translation>No puede leer eventos de sala de este tipo</translation>
    </message>
    <message>
        <source>Cannot read state events of this type</source>
        <translation>No puede leer eventos de estado de este tipo</translation>
    </message>
    <message>
        <source>Cannot read room account data of this type</source>
        <translation>No puede leer datos de cuenta de la sala de este tipo</translation>
    </message>
    <message>
        <source>Missing capability for %1</source>
        <translation>Falta la capacidad para %1</translation>
    </message>
    <message>
        <source>A capability request is already waiting for an answer</source>
        <translation>Ya hay una petición de capacidades esperando respuesta</translation>
    </message>
    <message>
        <source>Unknown or unsupported action: %1</source>
        <translation>Acción desconocida o no admitida: %1</translation>
    </message>
    <message>
        <source>Duplicate request ID: a request with this ID is still being processed</source>
        <translation>ID de petición repetido: aún se está procesando una petición con este ID</translation>
    </message>
    <message>
        <source>Tessera cannot write its audit log, so it refuses widget actions until it can</source>
        <translation>Tessera no puede escribir su registro de auditoría, así que rechaza las acciones de los widgets hasta que pueda</translation>
    </message>
    <message>
        <source>Only a modal widget has buttons</source>
        <translation>Solo un widget modal tiene botones</translation>
    </message>
    <message>
        <source>Only a modal widget can close itself</source>
        <translation>Solo un widget modal puede cerrarse a sí mismo</translation>
    </message>
    <message>
        <source>Invalid request - missing event type</source>
        <translation>Petición no válida: falta el tipo de evento</translation>
    </message>
    <message>
        <source>Invalid request - data is not a JSON object</source>
        <translation>Petición no válida: los datos no son un objeto JSON</translation>
    </message>
    <message>
        <source>Invalid request - content must be an object</source>
        <translation>Petición no válida: el contenido debe ser un objeto</translation>
    </message>
    <message>
        <source>Invalid request - missing event contents</source>
        <translation>Petición no válida: falta el contenido del evento</translation>
    </message>
    <message>
        <source>Invalid request - state_key must be a string</source>
        <translation>Petición no válida: state_key debe ser una cadena</translation>
    </message>
    <message>
        <source>Invalid request - limit out of range</source>
        <translation>Petición no válida: límite fuera de rango</translation>
    </message>
    <message>
        <source>Invalid request - capabilities must be a list of strings</source>
        <translation>Petición no válida: las capacidades deben ser una lista de cadenas</translation>
    </message>
    <message>
        <source>Invalid request - unsupported action</source>
        <translation>Petición no válida: acción no admitida</translation>
    </message>
    <message>
        <source>Invalid request - %1</source>
        <translation>Petición no válida: %1</translation>
    </message>
    <message>
        <source>a redaction needs content.redacts</source>
        <translation>una retirada necesita content.redacts</translation>
    </message>
    <message>
        <source>a sticker needs content.url (mxc://)</source>
        <translation>una pegatina necesita content.url (mxc://)</translation>
    </message>
    <message>
        <source>at most %1 capabilities may be requested at once</source>
        <translation>se pueden pedir como máximo %1 capacidades a la vez</translation>
    </message>
    <message>
        <source>buttons must be a list of at most 3 buttons</source>
        <translation>buttons debe ser una lista de 3 botones como máximo</translation>
    </message>
    <message>
        <source>content_uri must be an mxc:// URI</source>
        <translation>content_uri debe ser un URI mxc://</translation>
    </message>
    <message>
        <source>data must be an object</source>
        <translation>data debe ser un objeto</translation>
    </message>
    <message>
        <source>delay must be a whole number of milliseconds between 0 and one year</source>
        <translation>delay debe ser un número entero de milisegundos entre 0 y un año</translation>
    </message>
    <message>
        <source>direction must be &quot;f&quot; or &quot;b&quot;</source>
        <translation>direction debe ser &quot;f&quot; o &quot;b&quot;</translation>
    </message>
    <message>
        <source>each button needs an id and a label</source>
        <translation>cada botón necesita un id y una etiqueta</translation>
    </message>
    <message>
        <source>event type is longer than 255 bytes</source>
        <translation>el tipo de evento ocupa más de 255 bytes</translation>
    </message>
    <message>
        <source>file is not valid base64</source>
        <translation>file no es base64 válido</translation>
    </message>
    <message>
        <source>messages must map user IDs to device IDs to content objects</source>
        <translation>messages debe asociar ID de usuario a ID de dispositivo y estos a objetos de contenido</translation>
    </message>
    <message>
        <source>missing delay_id</source>
        <translation>falta delay_id</translation>
    </message>
    <message>
        <source>missing encryption flag</source>
        <translation>falta el indicador de cifrado</translation>
    </message>
    <message>
        <source>missing event ID</source>
        <translation>falta el ID del evento</translation>
    </message>
    <message>
        <source>missing file</source>
        <translation>falta el archivo</translation>
    </message>
    <message>
        <source>missing search term</source>
        <translation>falta el término de búsqueda</translation>
    </message>
    <message>
        <source>missing url</source>
        <translation>falta la dirección (url)</translation>
    </message>
    <message>
        <source>room_ids must be a list of room IDs or &quot;*&quot;</source>
        <translation>room_ids debe ser una lista de ID de sala o &quot;*&quot;</translation>
    </message>
    <message>
        <source>since must be an event ID</source>
        <translation>since debe ser un ID de evento</translation>
    </message>
    <message>
        <source>state_key must be a string or true</source>
        <translation>state_key debe ser una cadena o true</translation>
    </message>
    <message>
        <source>sticky_duration_ms must be between 1 and 3600000</source>
        <translation>sticky_duration_ms debe estar entre 1 y 3600000</translation>
    </message>
    <message>
        <source>this widget has no room to send stickers to</source>
        <translation>este widget no tiene una sala a la que enviar pegatinas</translation>
    </message>
    <message>
        <source>this widget has no room; give room_id</source>
        <translation>este widget no tiene sala; indica room_id</translation>
    </message>
    <message>
        <source>%1 must be a string</source>
        <translation>%1 debe ser una cadena</translation>
    </message>
    <message>
        <source>%1 must be a boolean</source>
        <translation>%1 debe ser verdadero o falso</translation>
    </message>
    <message>
        <source>Unable to access room timeline: %1</source>
        <translation>No se puede acceder a la cronología de la sala: %1</translation>
    </message>
    <message>
        <source>answers the heartbeat again</source>
        <translation>vuelve a responder al latido</translation>
    </message>
    <message>
        <source>closed by the user after it stopped responding</source>
        <translation>cerrado por el usuario después de que dejara de responder</translation>
    </message>
    <message>
        <source>the wrapper page has not answered the heartbeat for %1 ms (limit %2 ms)</source>
        <translation>la página contenedora no ha respondido al latido durante %1 ms (límite: %2 ms)</translation>
    </message>
    <message>
        <source>the widget&apos;s frame has not answered the heartbeat for %1 ms (limit %2 ms)</source>
        <translation>el marco del widget no ha respondido al latido durante %1 ms (límite: %2 ms)</translation>
    </message>
    <message>
        <source>the page&apos;s renderer process crashed (exit code %1)</source>
        <translation>el proceso que dibuja la página se bloqueó (código de salida %1)</translation>
    </message>
    <message>
        <source>the page&apos;s renderer process was killed (exit code %1)</source>
        <translation>el proceso que dibuja la página fue detenido por el sistema (código de salida %1)</translation>
    </message>
    <message>
        <source>the page&apos;s renderer process ended abnormally (exit code %1)</source>
        <translation>el proceso que dibuja la página terminó de forma anómala (código de salida %1)</translation>
    </message>
    <message>
        <source>asked the user whether to open the widget in the browser: %1</source>
        <translation>se preguntó al usuario si abrir el widget en el navegador: %1</translation>
    </message>
    <message>
        <source>asked the user whether to open %1 (registrable domain %2)</source>
        <translation>se preguntó al usuario si abrir %1 (dominio registrable %2)</translation>
    </message>
    <message>
        <source>the user declined: %1</source>
        <translation>el usuario lo rechazó: %1</translation>
    </message>
    <message>
        <source>the user agreed, but no web browser could be started: %1</source>
        <translation>el usuario aceptó, pero no se pudo iniciar ningún navegador web: %1</translation>
    </message>
    <message>
        <source>the user opened it in the browser: %1</source>
        <translation>el usuario lo abrió en el navegador: %1</translation>
    </message>
    <message>
        <source>refused, another address is waiting for the user: %1</source>
        <translation>rechazado, otra dirección espera al usuario: %1</translation>
    </message>
    <message>
        <source>%1 (after %2 more of this kind that were over the limit and not recorded one by one)</source>
        <translation>%1 (tras otros %2 de este tipo que superaron el límite y no se registraron uno a uno)</translation>
    </message>
    <message>
        <source>%1 requested by %2: %3</source>
        <translation>%1 solicitado por %2: %3</translation>
    </message>
    <message>
        <source>%1 requested by %2</source>
        <translation>%1 solicitado por %2</translation>
    </message>
    <message>
        <source>no such widget</source>
        <translation>no existe ese widget</translation>
    </message>
    <message>
        <source>Tessera does not let widgets use this feature</source>
        <translation>Tessera no deja que los widgets usen esta función</translation>
    </message>
    <message>
        <source>the page asking is not the widget&apos;s (%1)</source>
        <translation>la página que lo pide no es la del widget (%1)</translation>
    </message>
    <message>
        <source>its frame does not allow %1 (refused and remembered)</source>
        <translation>su marco no permite %1 (rechazado y recordado)</translation>
    </message>
    <message>
        <source>its frame does not allow %1 (not a call widget)</source>
        <translation>su marco no permite %1 (no es un widget de llamada)</translation>
    </message>
    <message>
        <source>allowed for its call only, ended as it left its call: %1; it asks again next time</source>
        <translation>permitido solo para su llamada, terminado al salir de la llamada: %1; la próxima vez vuelve a preguntar</translation>
    </message>
    <message>
        <source>allowed for its call only, ended as it stopped: %1; it asks again next time</source>
        <translation>permitido solo para su llamada, terminado al detenerse: %1; la próxima vez vuelve a preguntar</translation>
    </message>
    <message>
        <source>the user revoked %1 for its origin: its page is reloaded so that it stops using it</source>
        <translation>el usuario revocó %1 para su origen: su página se recarga para que deje de usarlo</translation>
    </message>
    <message>
        <source>the call widget joined its call</source>
        <translation>el widget de llamada se unió a su llamada</translation>
    </message>
    <message>
        <source>the call widget left its call</source>
        <translation>el widget de llamada salió de su llamada</translation>
    </message>
    <message>
        <source>refused, %1 would have left unencrypted: %2</source>
        <translation>rechazado, %1 habría salido sin cifrar: %2</translation>
    </message>
    <message>
        <source>Tessera is shutting down</source>
        <translation>Tessera se está cerrando</translation>
    </message>
    <message>
        <source>plugin is not running</source>
        <translation>el complemento no está en marcha</translation>
    </message>
    <message>
        <source>no handler for this action</source>
        <translation>no hay ningún controlador para esta acción</translation>
    </message>
    <message>
        <source>too many unanswered calls</source>
        <translation>demasiadas llamadas sin respuesta</translation>
    </message>
    <message>
        <source>the plugin was disabled</source>
        <translation>el complemento se desactivó</translation>
    </message>
    <message>
        <source>the reply to %1 was refused: %2</source>
        <translation>la respuesta a %1 fue rechazada: %2</translation>
    </message>
    <message>
        <source>asked the user</source>
        <translation>se preguntó al usuario</translation>
    </message>
    <message>
        <source>the widget closed while the user was asked; nothing was decided</source>
        <translation>el widget se cerró mientras se preguntaba al usuario; no se decidió nada</translation>
    </message>
    <message>
        <source>the user revoked a remembered allow of capability %1</source>
        <translation>el usuario retiró un permiso recordado de la capacidad %1</translation>
    </message>
    <message>
        <source>the user revoked a remembered deny of capability %1</source>
        <translation>el usuario retiró una denegación recordada de la capacidad %1</translation>
    </message>
    <message>
        <source>the user revoked a remembered allow of load %1</source>
        <translation>el usuario retiró un permiso recordado de carga %1</translation>
    </message>
    <message>
        <source>the user revoked a remembered deny of load %1</source>
        <translation>el usuario retiró una denegación recordada de carga %1</translation>
    </message>
    <message>
        <source>the user revoked a remembered allow of openid %1</source>
        <translation>el usuario retiró un permiso recordado de identidad OpenID %1</translation>
    </message>
    <message>
        <source>the user revoked a remembered deny of openid %1</source>
        <translation>el usuario retiró una denegación recordada de identidad OpenID %1</translation>
    </message>
    <message>
        <source>the user revoked a remembered allow of browser_permission %1</source>
        <translation>el usuario retiró un permiso recordado del navegador %1</translation>
    </message>
    <message>
        <source>the user revoked a remembered deny of browser_permission %1</source>
        <translation>el usuario retiró una denegación recordada del navegador %1</translation>
    </message>
    <message>
        <source>the user revoked every remembered decision of the widget (%1)</source>
        <translation>el usuario retiró todas las decisiones recordadas del widget (%1)</translation>
    </message>
    <message>
        <source>the user added %1</source>
        <translation>el usuario añadió %1</translation>
    </message>
    <message>
        <source>the administrator&apos;s configuration added %1</source>
        <translation>la configuración del administrador añadió %1</translation>
    </message>
    <message>
        <source>the user removed %1</source>
        <translation>el usuario quitó %1</translation>
    </message>
    <message>
        <source>the audit log cannot be written, so nothing can be granted now</source>
        <translation>no se puede escribir el registro de auditoría, así que ahora no se puede conceder nada</translation>
    </message>
    <message>
        <source>the audit log cannot be written, so nothing was granted</source>
        <translation>no se puede escribir el registro de auditoría, así que no se concedió nada</translation>
    </message>
    <message>
        <source>not sent: withdrawn from the outbox after %1 without reaching the homeserver</source>
        <translation>no enviado: retirado de la cola de envío tras %1 sin llegar al servidor</translation>
    </message>
    <message>
        <source>withdrawn from the outbox after %1; an earlier attempt got no answer, so the event may still appear</source>
        <translation>retirado de la cola de envío tras %1; un intento anterior no obtuvo respuesta, así que el evento aún puede aparecer</translation>
    </message>
    <message>
        <source>no answer from the homeserver in time; its request was the last attempt, and its outcome is recorded when it comes</source>
        <translation>el servidor no respondió a tiempo; su petición fue el último intento, y su resultado se registra cuando llegue</translation>
    </message>
    <message>
        <source>sent after the widget was told it may still appear</source>
        <translation>enviado después de decirle al widget que aún podía aparecer</translation>
    </message>
    <message>
        <source>not sent after all, the homeserver refused it: %1</source>
        <translation>finalmente no enviado, el servidor lo rechazó: %1</translation>
    </message>
    <message>
        <source>still unknown, the last attempt got no answer either: %1</source>
        <translation>aún se desconoce, el último intento tampoco obtuvo respuesta: %1</translation>
    </message>
</context>
<context>
    <name>tessera::ui::WidgetCatalog</name>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="29"/>
        <source>Web page</source>
        <translation>Página web</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="30"/>
        <source>Jitsi Meet</source>
        <translation>Jitsi Meet</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="31"/>
        <source>Element Call</source>
        <translation>Element Call</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="39"/>
        <source>Any web app, by its https:// address</source>
        <translation>Cualquier aplicación web, por su dirección https://</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="41"/>
        <source>A video conference on a Jitsi Meet server, opened directly on that server; every member of the room meets in the same conference</source>
        <translation>Una videoconferencia en un servidor de Jitsi Meet, abierta directamente en ese servidor; todos los miembros de la sala se reúnen en la misma conferencia</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="42"/>
        <source>A call in this room through your Element Call service</source>
        <translation>Una llamada en esta sala a través de tu servicio de Element Call</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="51"/>
        <source>Name (optional)</source>
        <translation>Nombre (opcional)</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="53"/>
        <source>Address of the widget</source>
        <translation>Dirección del widget</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="55"/>
        <source>Address of the call service</source>
        <translation>Dirección del servicio de llamadas</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="57"/>
        <source>Jitsi server</source>
        <translation>Servidor de Jitsi</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="59"/>
        <source>Conference</source>
        <translation>Conferencia</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="67"/>
        <source>Letters, digits, - and _; the room&apos;s own conference unless you change it</source>
        <translation>Letras, dígitos, - y _; la conferencia propia de la sala si no la cambias</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="69"/>
        <source>The server&apos;s name, such as meet.jit.si</source>
        <translation>El nombre del servidor, como meet.jit.si</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="72"/>
        <source>Letters, digits, -, _ and .</source>
        <translation>Letras, dígitos, -, _ y .</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="73"/>
        <source>A server name, such as example.org</source>
        <translation>Un nombre de servidor, como example.org</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="122"/>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="124"/>
        <source>%1 is needed.</source>
        <translation>Falta: %1.</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="125"/>
        <source>%1 is longer than %2 characters.</source>
        <translation>%1: tiene más de %2 caracteres.</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="126"/>
        <source>%1 must be one line of text.</source>
        <translation>%1: debe ser una sola línea de texto.</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="128"/>
        <source>%1 must be a server name such as meet.example.org (letters, digits, - and dots).</source>
        <translation>%1: debe ser un nombre de servidor como meet.example.org (letras, dígitos, - y puntos).</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="129"/>
        <source>%1 may only have letters, digits, -, _ and dots.</source>
        <translation>%1: solo puede tener letras, dígitos, -, _ y puntos.</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="130"/>
        <source>This kind of widget has no field %1.</source>
        <translation>Este tipo de widget no tiene el campo %1.</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="147"/>
        <source>Usage: /widget &lt;https://…&gt; [name] · /widget jitsi [conference] [server] · /widget call &lt;address of the call service&gt;</source>
        <translation>Uso: /widget &lt;https://…&gt; [nombre] · /widget jitsi [conferencia] [servidor] · /widget call &lt;dirección del servicio de llamadas&gt;</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="159"/>
        <source>There is no kind of widget called %1 here. %2</source>
        <translation>No hay ningún tipo de widget llamado %1 aquí. %2</translation>
    </message>
    <message>
        <location filename="../../host/ui/widgetcatalog.cpp" line="161"/>
        <source>Several plugins have a widget called %1: write its full type (such as io.example.%1).</source>
        <translation>Varios complementos tienen un widget llamado %1: escribe su tipo completo (como io.example.%1).</translation>
    </message>
</context>
<context>
    <name>tessera::ui::PluginWords</name>
    <message>
        <source>You can enable it.</source>
        <translation>Puedes activarlo.</translation>
    </message>
    <message>
        <source>Any member of the room can enable it.</source>
        <translation>Cualquier miembro de la sala puede activarlo.</translation>
    </message>
    <message>
        <source>Nobody in the room has the power level %1 or more needed to enable it.</source>
        <translation>Nadie en la sala tiene el nivel de poder %1 o superior necesario para activarlo.</translation>
    </message>
    <message>
        <source>Room members with power level %1 or more can enable it: %2.</source>
        <translation>Pueden activarlo los miembros de la sala con nivel de poder %1 o superior: %2.</translation>
    </message>
    <message>
        <source>%1 added this widget but may not enable %2 in this room: that needs power level %3, and their level is %4.</source>
        <translation>%1 añadió este widget, pero no puede activar %2 en esta sala: hace falta el nivel de poder %3 y el suyo es %4.</translation>
    </message>
    <message>
        <source>Not enabled in this room</source>
        <translation>No activado en esta sala</translation>
    </message>
    <message>
        <source>Enabled in this room</source>
        <translation>Activado en esta sala</translation>
    </message>
    <message>
        <source>%1 is enabled in this room.</source>
        <translation>%1 está activado en esta sala.</translation>
    </message>
    <message>
        <source>%1 is not enabled in this room.</source>
        <translation>%1 no está activado en esta sala.</translation>
    </message>
    <message>
        <source>%1 was turned off in this room.</source>
        <translation>%1 se desactivó en esta sala.</translation>
    </message>
    <message>
        <source>%1 was turned off in this room by %2.</source>
        <translation>%2 desactivó %1 en esta sala.</translation>
    </message>
    <message>
        <source>Turned off</source>
        <translation>Desactivado</translation>
    </message>
    <message>
        <source>You turned %1 off for all rooms. The Plugins page turns it on again.</source>
        <translation>Desactivaste %1 en todas las salas. Puedes volver a activarlo en la página Complementos.</translation>
    </message>
    <message>
        <source>Plugin not installed</source>
        <translation>Complemento no instalado</translation>
    </message>
    <message>
        <source>The plugin %1 is not installed.</source>
        <translation>El complemento %1 no está instalado.</translation>
    </message>
    <message>
        <source>Plugin not running</source>
        <translation>El complemento no está en marcha</translation>
    </message>
    <message>
        <source>%1 is not running, so its widgets cannot be shown. The Plugins page says why.</source>
        <translation>%1 no está en marcha, así que sus widgets no se pueden mostrar. La página Complementos dice por qué.</translation>
    </message>
    <message>
        <source>Invalid plugin settings</source>
        <translation>Ajustes del complemento no válidos</translation>
    </message>
    <message>
        <source>The settings of %1 in this room are invalid, so its widgets are not loaded.</source>
        <translation>Los ajustes de %1 en esta sala no son válidos, así que sus widgets no se cargan.</translation>
    </message>
</context>
</TS>
