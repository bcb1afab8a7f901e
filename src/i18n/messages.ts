import type { Language } from '../db/schema';

/**
 * What an invitee reads: the invitation email and the sign-up pages, in the invitation's
 * language. Every language must define every message (the type checks it). The admin console
 * itself is English.
 */

export const LANGUAGES = {
  en: 'English',
  fr: 'Français',
  de: 'Deutsch',
  es: 'Español',
} as const satisfies Record<Language, string>;

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && Object.hasOwn(LANGUAGES, value);
}

interface Invite {
  inviter: string | null;
  account: string;
  project: string;
  role: string;
}

export interface Messages {
  skipLink: string;
  footer: string;
  errorSummary: string;
  /** A page's title when the page reports an error (GOV.UK: "Error: " first, read before the rest). */
  errorTitle(title: string): string;
  mailSubject(i: Invite): string;
  invitedYou(i: Invite): string;
  theirMessage(inviter: string | null): string;
  expiresOn(date: string): string;
  acceptInvitation: string;
  linkFallback: string;
  notExpected: string;
  inviteTitle(account: string): string;
  decline: string;
  signInToAccept: string;
  existingAccount(email: string): string;
  otherPersonSignedIn(email: string): string;
  signOut: string;
  createAccount: string;
  createAccountIntro(email: string): string;
  name: string;
  password: string;
  confirmPassword: string;
  passwordHint(min: number): string;
  continue: string;
  errors: {
    nameMissing: string;
    nameTooLong: string;
    passwordsDiffer: string;
    passwordMissing: string;
    tooShort(min: number, length: number): string;
    tooLong(max: number): string;
    containsEmail: string;
    containsName: string;
    common: string;
    codeShape: string;
    codeWrong: string;
  };
  twoFactorTitle: string;
  twoFactorIntro: string;
  qrLabel: string;
  keyLabel: string;
  codeLabel: string;
  verify: string;
  codesTitle: string;
  codesIntro: string;
  codesDownload: string;
  codesPrint: string;
  codesAgain: string;
  codesFinish: string;
  codesFileHeader(account: string, email: string): string;
  declinedTitle: string;
  declinedBody(account: string): string;
  notUsable: Record<
    'unknown' | 'expired' | 'revoked' | 'declined' | 'accepted' | 'invalid',
    { title: string; body: string }
  >;
  goToSignIn: string;
}

const en: Messages = {
  skipLink: 'Skip to main content',
  footer: 'Gatehouse user and access management',
  errorSummary: 'There is a problem',
  errorTitle: (title) => `Error: ${title}`,
  mailSubject: (i) =>
    i.inviter ? `${i.inviter} invited you to ${i.account}` : `You are invited to ${i.account}`,
  invitedYou: (i) =>
    i.inviter
      ? `${i.inviter} invited you to join the project ${i.project} in ${i.account} as ${i.role}.`
      : `You are invited to join the project ${i.project} in ${i.account} as ${i.role}.`,
  theirMessage: (inviter) => (inviter ? `A message from ${inviter}:` : 'A message with the invitation:'),
  expiresOn: (date) => `The invitation expires on ${date}.`,
  acceptInvitation: 'Accept the invitation',
  linkFallback: 'If the button does not work, copy this address into your browser:',
  notExpected: 'If you did not expect this invitation, you can ignore this email.',
  inviteTitle: (account) => `Invitation to ${account}`,
  decline: 'Decline',
  signInToAccept: 'Sign in to accept',
  existingAccount: (email) => `You already have an account as ${email}. Sign in to accept the invitation.`,
  otherPersonSignedIn: (email) =>
    `You are signed in as someone else. Sign out, then open this link again to accept as ${email}.`,
  signOut: 'Sign out',
  createAccount: 'Create your account',
  createAccountIntro: (email) => `You will sign in as ${email}.`,
  name: 'Your name',
  password: 'Password',
  confirmPassword: 'Confirm password',
  passwordHint: (min) =>
    `At least ${min} characters. A few unrelated words make a strong password; paste is fine. Avoid your name and email.`,
  continue: 'Continue',
  errors: {
    nameMissing: 'Enter your name.',
    nameTooLong: 'Use at most 200 characters for your name.',
    passwordsDiffer: 'The two passwords are not the same.',
    passwordMissing: 'Enter a password.',
    tooShort: (min, length) => `Use at least ${min} characters (this one has ${length}).`,
    tooLong: (max) => `Use at most ${max} characters.`,
    containsEmail: 'Do not include your email address.',
    containsName: 'Do not include your name.',
    common: 'This password is on a list of commonly used passwords. Choose a less common one.',
    codeShape: 'Enter the 6-digit code from your authenticator app.',
    codeWrong: 'That code is not right. Check the time on your device and enter the newest code.',
  },
  twoFactorTitle: 'Set up two-factor authentication',
  twoFactorIntro:
    'This account requires a second step at sign-in. Scan the QR code with an authenticator app, or type the key into it, then enter the code the app shows.',
  qrLabel: 'QR code holding the key below',
  keyLabel: 'Key',
  codeLabel: '6-digit code',
  verify: 'Verify',
  codesTitle: 'Save your recovery codes',
  codesIntro:
    'If you lose your authenticator, each of these codes lets you sign in once. They are shown only now: download or print them and keep them safe.',
  codesDownload: 'Download the codes',
  codesPrint: 'Print',
  codesAgain: 'Make new codes',
  codesFinish: 'I have saved my codes: finish',
  codesFileHeader: (account, email) => `Recovery codes for ${email} in ${account}. Each works once.`,
  declinedTitle: 'Invitation declined',
  declinedBody: (account) =>
    `You declined the invitation to ${account}. The link no longer works. If this was a mistake, ask the person who invited you to send a new invitation.`,
  notUsable: {
    invalid: {
      title: 'This invitation is no longer valid',
      body: 'The person who invited you can no longer give this access. If you still need it, ask an administrator for a new invitation.',
    },
    unknown: {
      title: 'This invitation link does not work',
      body: 'Check that you copied the whole address from the email. If it still does not work, ask the person who invited you to send the invitation again.',
    },
    expired: {
      title: 'This invitation has expired',
      body: 'Ask the person who invited you to resend the invitation.',
    },
    revoked: {
      title: 'This invitation was withdrawn',
      body: 'If you still need access, ask the person who invited you to send a new invitation.',
    },
    declined: {
      title: 'This invitation was declined',
      body: 'If you want to join after all, ask the person who invited you to send a new invitation.',
    },
    accepted: {
      title: 'This invitation has already been accepted',
      body: 'Sign in with the account you created.',
    },
  },
  goToSignIn: 'Go to the sign-in page',
};

const fr: Messages = {
  skipLink: 'Aller au contenu principal',
  footer: 'Gatehouse, gestion des utilisateurs et des accès',
  errorSummary: 'Il y a un problème',
  errorTitle: (title) => `Erreur : ${title}`,
  mailSubject: (i) =>
    i.inviter ? `${i.inviter} vous invite sur ${i.account}` : `Vous êtes invité sur ${i.account}`,
  invitedYou: (i) =>
    i.inviter
      ? `${i.inviter} vous invite à rejoindre le projet ${i.project} dans ${i.account} avec le rôle ${i.role}.`
      : `Vous êtes invité à rejoindre le projet ${i.project} dans ${i.account} avec le rôle ${i.role}.`,
  theirMessage: (inviter) => (inviter ? `Message de ${inviter} :` : 'Message joint à l’invitation :'),
  expiresOn: (date) => `L’invitation expire le ${date}.`,
  acceptInvitation: 'Accepter l’invitation',
  linkFallback: 'Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur :',
  notExpected: 'Si vous n’attendiez pas cette invitation, vous pouvez ignorer ce message.',
  inviteTitle: (account) => `Invitation sur ${account}`,
  decline: 'Refuser',
  signInToAccept: 'Se connecter pour accepter',
  existingAccount: (email) =>
    `Vous avez déjà un compte avec l’adresse ${email}. Connectez-vous pour accepter l’invitation.`,
  otherPersonSignedIn: (email) =>
    `Vous êtes connecté avec un autre compte. Déconnectez-vous, puis rouvrez ce lien pour accepter en tant que ${email}.`,
  signOut: 'Se déconnecter',
  createAccount: 'Créez votre compte',
  createAccountIntro: (email) => `Vous vous connecterez avec l’adresse ${email}.`,
  name: 'Votre nom',
  password: 'Mot de passe',
  confirmPassword: 'Confirmez le mot de passe',
  passwordHint: (min) =>
    `Au moins ${min} caractères. Quelques mots sans rapport entre eux font un mot de passe solide ; le collage est permis. Évitez votre nom et votre adresse.`,
  continue: 'Continuer',
  errors: {
    nameMissing: 'Saisissez votre nom.',
    nameTooLong: 'Votre nom ne peut pas dépasser 200 caractères.',
    passwordsDiffer: 'Les deux mots de passe ne sont pas identiques.',
    passwordMissing: 'Saisissez un mot de passe.',
    tooShort: (min, length) => `Utilisez au moins ${min} caractères (celui-ci en a ${length}).`,
    tooLong: (max) => `Utilisez au plus ${max} caractères.`,
    containsEmail: 'N’utilisez pas votre adresse e-mail.',
    containsName: 'N’utilisez pas votre nom.',
    common:
      'Ce mot de passe figure dans une liste de mots de passe courants. Choisissez-en un moins courant.',
    codeShape: 'Saisissez le code à 6 chiffres de votre application d’authentification.',
    codeWrong:
      'Ce code n’est pas le bon. Vérifiez l’heure de votre appareil et saisissez le code le plus récent.',
  },
  twoFactorTitle: 'Configurer l’authentification à deux facteurs',
  twoFactorIntro:
    'Ce compte exige une seconde étape à la connexion. Scannez le code QR avec une application d’authentification, ou saisissez-y la clé, puis entrez le code affiché.',
  qrLabel: 'Code QR contenant la clé ci-dessous',
  keyLabel: 'Clé',
  codeLabel: 'Code à 6 chiffres',
  verify: 'Vérifier',
  codesTitle: 'Enregistrez vos codes de secours',
  codesIntro:
    'Si vous perdez votre application d’authentification, chacun de ces codes permet de vous connecter une fois. Ils ne sont affichés qu’une seule fois : téléchargez-les ou imprimez-les et gardez-les en lieu sûr.',
  codesDownload: 'Télécharger les codes',
  codesPrint: 'Imprimer',
  codesAgain: 'Générer de nouveaux codes',
  codesFinish: 'J’ai enregistré mes codes : terminer',
  codesFileHeader: (account, email) =>
    `Codes de secours de ${email} pour ${account}. Chacun ne fonctionne qu’une fois.`,
  declinedTitle: 'Invitation refusée',
  declinedBody: (account) =>
    `Vous avez refusé l’invitation sur ${account}. Le lien ne fonctionne plus. S’il s’agit d’une erreur, demandez à la personne qui vous a invité de vous envoyer une nouvelle invitation.`,
  notUsable: {
    invalid: {
      title: 'Cette invitation n’est plus valable',
      body: 'La personne qui vous a invité ne peut plus accorder cet accès. Si vous en avez encore besoin, demandez une nouvelle invitation à un administrateur.',
    },
    unknown: {
      title: 'Ce lien d’invitation ne fonctionne pas',
      body: 'Vérifiez que vous avez copié l’adresse complète depuis le message. Sinon, demandez à la personne qui vous a invité de renvoyer l’invitation.',
    },
    expired: {
      title: 'Cette invitation a expiré',
      body: 'Demandez à la personne qui vous a invité de renvoyer l’invitation.',
    },
    revoked: {
      title: 'Cette invitation a été retirée',
      body: 'Si vous avez encore besoin d’un accès, demandez à la personne qui vous a invité une nouvelle invitation.',
    },
    declined: {
      title: 'Cette invitation a été refusée',
      body: 'Si vous souhaitez finalement rejoindre le compte, demandez à la personne qui vous a invité une nouvelle invitation.',
    },
    accepted: {
      title: 'Cette invitation a déjà été acceptée',
      body: 'Connectez-vous avec le compte que vous avez créé.',
    },
  },
  goToSignIn: 'Aller à la page de connexion',
};

const de: Messages = {
  skipLink: 'Zum Hauptinhalt springen',
  footer: 'Gatehouse Benutzer- und Zugriffsverwaltung',
  errorSummary: 'Es gibt ein Problem',
  errorTitle: (title) => `Fehler: ${title}`,
  mailSubject: (i) =>
    i.inviter ? `${i.inviter} hat Sie zu ${i.account} eingeladen` : `Sie sind zu ${i.account} eingeladen`,
  invitedYou: (i) =>
    i.inviter
      ? `${i.inviter} hat Sie eingeladen, dem Projekt ${i.project} in ${i.account} mit der Rolle ${i.role} beizutreten.`
      : `Sie sind eingeladen, dem Projekt ${i.project} in ${i.account} mit der Rolle ${i.role} beizutreten.`,
  theirMessage: (inviter) => (inviter ? `Nachricht von ${inviter}:` : 'Nachricht zur Einladung:'),
  expiresOn: (date) => `Die Einladung läuft am ${date} ab.`,
  acceptInvitation: 'Einladung annehmen',
  linkFallback: 'Falls die Schaltfläche nicht funktioniert, kopieren Sie diese Adresse in Ihren Browser:',
  notExpected: 'Falls Sie diese Einladung nicht erwartet haben, können Sie diese E-Mail ignorieren.',
  inviteTitle: (account) => `Einladung zu ${account}`,
  decline: 'Ablehnen',
  signInToAccept: 'Zum Annehmen anmelden',
  existingAccount: (email) =>
    `Sie haben bereits ein Konto mit ${email}. Melden Sie sich an, um die Einladung anzunehmen.`,
  otherPersonSignedIn: (email) =>
    `Sie sind mit einem anderen Konto angemeldet. Melden Sie sich ab und öffnen Sie diesen Link erneut, um als ${email} anzunehmen.`,
  signOut: 'Abmelden',
  createAccount: 'Konto erstellen',
  createAccountIntro: (email) => `Sie melden sich mit ${email} an.`,
  name: 'Ihr Name',
  password: 'Passwort',
  confirmPassword: 'Passwort bestätigen',
  passwordHint: (min) =>
    `Mindestens ${min} Zeichen. Einige zusammenhanglose Wörter ergeben ein starkes Passwort; Einfügen ist erlaubt. Vermeiden Sie Ihren Namen und Ihre E-Mail-Adresse.`,
  continue: 'Weiter',
  errors: {
    nameMissing: 'Geben Sie Ihren Namen ein.',
    nameTooLong: 'Ihr Name darf höchstens 200 Zeichen lang sein.',
    passwordsDiffer: 'Die beiden Passwörter stimmen nicht überein.',
    passwordMissing: 'Geben Sie ein Passwort ein.',
    tooShort: (min, length) => `Verwenden Sie mindestens ${min} Zeichen (dieses hat ${length}).`,
    tooLong: (max) => `Verwenden Sie höchstens ${max} Zeichen.`,
    containsEmail: 'Verwenden Sie nicht Ihre E-Mail-Adresse.',
    containsName: 'Verwenden Sie nicht Ihren Namen.',
    common: 'Dieses Passwort steht auf einer Liste häufig verwendeter Passwörter. Wählen Sie ein selteneres.',
    codeShape: 'Geben Sie den 6-stelligen Code aus Ihrer Authentifizierungs-App ein.',
    codeWrong:
      'Dieser Code ist nicht richtig. Prüfen Sie die Uhrzeit Ihres Geräts und geben Sie den neuesten Code ein.',
  },
  twoFactorTitle: 'Zwei-Faktor-Authentifizierung einrichten',
  twoFactorIntro:
    'Dieses Konto verlangt bei der Anmeldung einen zweiten Schritt. Scannen Sie den QR-Code mit einer Authentifizierungs-App oder geben Sie den Schlüssel dort ein, und tragen Sie dann den angezeigten Code ein.',
  qrLabel: 'QR-Code mit dem unten stehenden Schlüssel',
  keyLabel: 'Schlüssel',
  codeLabel: '6-stelliger Code',
  verify: 'Bestätigen',
  codesTitle: 'Wiederherstellungscodes speichern',
  codesIntro:
    'Wenn Sie Ihre Authentifizierungs-App verlieren, können Sie sich mit jedem dieser Codes einmal anmelden. Sie werden nur jetzt angezeigt: Laden Sie sie herunter oder drucken Sie sie aus und bewahren Sie sie sicher auf.',
  codesDownload: 'Codes herunterladen',
  codesPrint: 'Drucken',
  codesAgain: 'Neue Codes erzeugen',
  codesFinish: 'Ich habe meine Codes gespeichert: abschließen',
  codesFileHeader: (account, email) =>
    `Wiederherstellungscodes für ${email} in ${account}. Jeder Code funktioniert einmal.`,
  declinedTitle: 'Einladung abgelehnt',
  declinedBody: (account) =>
    `Sie haben die Einladung zu ${account} abgelehnt. Der Link funktioniert nicht mehr. Falls das ein Versehen war, bitten Sie die einladende Person um eine neue Einladung.`,
  notUsable: {
    invalid: {
      title: 'Diese Einladung ist nicht mehr gültig',
      body: 'Die einladende Person kann diesen Zugriff nicht mehr gewähren. Wenn Sie ihn weiterhin brauchen, bitten Sie eine Administratorin oder einen Administrator um eine neue Einladung.',
    },
    unknown: {
      title: 'Dieser Einladungslink funktioniert nicht',
      body: 'Prüfen Sie, ob Sie die vollständige Adresse aus der E-Mail kopiert haben. Sonst bitten Sie die einladende Person, die Einladung erneut zu senden.',
    },
    expired: {
      title: 'Diese Einladung ist abgelaufen',
      body: 'Bitten Sie die einladende Person, die Einladung erneut zu senden.',
    },
    revoked: {
      title: 'Diese Einladung wurde zurückgezogen',
      body: 'Wenn Sie weiterhin Zugriff brauchen, bitten Sie die einladende Person um eine neue Einladung.',
    },
    declined: {
      title: 'Diese Einladung wurde abgelehnt',
      body: 'Wenn Sie doch beitreten möchten, bitten Sie die einladende Person um eine neue Einladung.',
    },
    accepted: {
      title: 'Diese Einladung wurde bereits angenommen',
      body: 'Melden Sie sich mit dem Konto an, das Sie erstellt haben.',
    },
  },
  goToSignIn: 'Zur Anmeldeseite',
};

const es: Messages = {
  skipLink: 'Saltar al contenido principal',
  footer: 'Gatehouse, gestión de usuarios y accesos',
  errorSummary: 'Hay un problema',
  errorTitle: (title) => `Error: ${title}`,
  mailSubject: (i) =>
    i.inviter ? `${i.inviter} te ha invitado a ${i.account}` : `Te han invitado a ${i.account}`,
  invitedYou: (i) =>
    i.inviter
      ? `${i.inviter} te ha invitado a unirte al proyecto ${i.project} en ${i.account} con el rol ${i.role}.`
      : `Te han invitado a unirte al proyecto ${i.project} en ${i.account} con el rol ${i.role}.`,
  theirMessage: (inviter) => (inviter ? `Mensaje de ${inviter}:` : 'Mensaje de la invitación:'),
  expiresOn: (date) => `La invitación caduca el ${date}.`,
  acceptInvitation: 'Aceptar la invitación',
  linkFallback: 'Si el botón no funciona, copia esta dirección en tu navegador:',
  notExpected: 'Si no esperabas esta invitación, puedes ignorar este correo.',
  inviteTitle: (account) => `Invitación a ${account}`,
  decline: 'Rechazar',
  signInToAccept: 'Iniciar sesión para aceptar',
  existingAccount: (email) => `Ya tienes una cuenta con ${email}. Inicia sesión para aceptar la invitación.`,
  otherPersonSignedIn: (email) =>
    `Has iniciado sesión con otra cuenta. Cierra la sesión y vuelve a abrir este enlace para aceptar como ${email}.`,
  signOut: 'Cerrar sesión',
  createAccount: 'Crea tu cuenta',
  createAccountIntro: (email) => `Iniciarás sesión como ${email}.`,
  name: 'Tu nombre',
  password: 'Contraseña',
  confirmPassword: 'Confirma la contraseña',
  passwordHint: (min) =>
    `Al menos ${min} caracteres. Unas cuantas palabras sin relación forman una contraseña segura; puedes pegarla. Evita tu nombre y tu correo.`,
  continue: 'Continuar',
  errors: {
    nameMissing: 'Escribe tu nombre.',
    nameTooLong: 'Tu nombre no puede tener más de 200 caracteres.',
    passwordsDiffer: 'Las dos contraseñas no coinciden.',
    passwordMissing: 'Escribe una contraseña.',
    tooShort: (min, length) => `Usa al menos ${min} caracteres (esta tiene ${length}).`,
    tooLong: (max) => `Usa como máximo ${max} caracteres.`,
    containsEmail: 'No incluyas tu dirección de correo.',
    containsName: 'No incluyas tu nombre.',
    common: 'Esta contraseña está en una lista de contraseñas muy usadas. Elige una menos común.',
    codeShape: 'Escribe el código de 6 dígitos de tu aplicación de autenticación.',
    codeWrong:
      'Ese código no es correcto. Comprueba la hora de tu dispositivo y escribe el código más reciente.',
  },
  twoFactorTitle: 'Configura la autenticación en dos pasos',
  twoFactorIntro:
    'Esta cuenta exige un segundo paso al iniciar sesión. Escanea el código QR con una aplicación de autenticación, o escribe en ella la clave, y luego introduce el código que muestre.',
  qrLabel: 'Código QR con la clave que aparece debajo',
  keyLabel: 'Clave',
  codeLabel: 'Código de 6 dígitos',
  verify: 'Verificar',
  codesTitle: 'Guarda tus códigos de recuperación',
  codesIntro:
    'Si pierdes tu aplicación de autenticación, cada uno de estos códigos te permite iniciar sesión una vez. Solo se muestran ahora: descárgalos o imprímelos y guárdalos en un lugar seguro.',
  codesDownload: 'Descargar los códigos',
  codesPrint: 'Imprimir',
  codesAgain: 'Generar códigos nuevos',
  codesFinish: 'He guardado mis códigos: terminar',
  codesFileHeader: (account, email) =>
    `Códigos de recuperación de ${email} en ${account}. Cada uno sirve una vez.`,
  declinedTitle: 'Invitación rechazada',
  declinedBody: (account) =>
    `Has rechazado la invitación a ${account}. El enlace ya no funciona. Si ha sido un error, pide a quien te invitó que te envíe una nueva invitación.`,
  notUsable: {
    invalid: {
      title: 'Esta invitación ya no es válida',
      body: 'Quien te invitó ya no puede conceder este acceso. Si todavía lo necesitas, pide una nueva invitación a un administrador.',
    },
    unknown: {
      title: 'Este enlace de invitación no funciona',
      body: 'Comprueba que has copiado la dirección completa del correo. Si sigue sin funcionar, pide a quien te invitó que vuelva a enviar la invitación.',
    },
    expired: {
      title: 'Esta invitación ha caducado',
      body: 'Pide a quien te invitó que vuelva a enviar la invitación.',
    },
    revoked: {
      title: 'Esta invitación ha sido retirada',
      body: 'Si todavía necesitas acceso, pide a quien te invitó una nueva invitación.',
    },
    declined: {
      title: 'Esta invitación fue rechazada',
      body: 'Si al final quieres unirte, pide a quien te invitó una nueva invitación.',
    },
    accepted: {
      title: 'Esta invitación ya fue aceptada',
      body: 'Inicia sesión con la cuenta que creaste.',
    },
  },
  goToSignIn: 'Ir a la página de inicio de sesión',
};

const CATALOG: Record<Language, Messages> = { en, fr, de, es };

export function messages(language: Language): Messages {
  return CATALOG[language];
}

/** A date as the reader's language writes it, in UTC so it reads the same everywhere. */
export function longDate(date: Date, language: Language): string {
  return `${new Intl.DateTimeFormat(language, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(date)} UTC`;
}
